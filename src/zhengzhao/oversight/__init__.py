"""Oversight of the library: the responsibility list's expected volumes, completeness,
and the monthly data-quality assessment of each department."""
