"""`python -m zhengzhao` runs the command line."""

from zhengzhao.cli.main import app

app(prog_name="zhengzhao")
