"""The demo library: a synthetic Xinjiang node with realistic holders and licenses.

`zhengzhao.demo.synthetic` plans the data (people, organisations, departments, the
licenses each holder has and their later events) from one seed, without touching the
database; `zhengzhao.demo.library` issues it through the platform's services.
"""
