"""WSGI entry point: `gunicorn wsgi:app`; `flask --app wsgi …` also has the demo's `seed-demo`."""
from demo.cli import register_demo_commands
from server import create_app

app = create_app()
register_demo_commands(app)
