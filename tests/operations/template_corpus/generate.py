#!/usr/bin/python3
"""Writes the expected outputs of the template corpus. Run by hand, never in CI.

    cd tests/operations/template_corpus && /usr/bin/python3 generate.py

Needs Debian's python3-jinja2 (3.1) and ansible-core (2.14). For each NAME.j2 with NAME.json:
- NAME.ansible.out: `ansible localhost -m template -e @NAME.json` (Ansible's settings:
  trim_blocks on, None rendered as '', the `#jinja2:` header honoured).
- NAME.jinja2.out: plain Jinja2 as pyinfra configures it (StrictUndefined,
  keep_trailing_newline, trim_blocks off) with Ansible's filters and tests registered;
  skipped for templates with a `#jinja2:` header (plain Jinja2 copies that line).
A template the reference cannot render gets NAME.<ref>.err with the message.
"""
import glob, json, os, subprocess, tempfile

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from ansible.plugins.filter.core import FilterModule as CoreFilters
from ansible.plugins.filter.mathstuff import FilterModule as MathFilters
from ansible.plugins.filter.urls import FilterModule as UrlFilters
from ansible.plugins.test.core import TestModule as CoreTests

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def plain(name):
    env = Environment(loader=FileSystemLoader(HERE), undefined=StrictUndefined,
                      keep_trailing_newline=True)
    for module in (CoreFilters, MathFilters, UrlFilters):
        env.filters.update(module().filters())
    env.tests.update(CoreTests().tests())
    with open(os.path.join(HERE, name + ".json"), encoding="utf-8") as f:
        data = json.load(f)
    return env.get_template(name + ".j2").render(data)


def ansible(name):
    with tempfile.TemporaryDirectory() as tmp:
        dest = os.path.join(tmp, "out")
        run = subprocess.run(
            ["ansible", "localhost", "-c", "local", "-m", "template",
             "-a", f"src={os.path.join(HERE, name + '.j2')} dest={dest}",
             "-e", f"@{os.path.join(HERE, name + '.json')}"],
            capture_output=True, text=True, env={**os.environ, "ANSIBLE_NOCOLOR": "1"})
        if run.returncode != 0:
            raise RuntimeError(run.stdout + run.stderr)
        with open(dest, encoding="utf-8", newline="") as f:
            return f.read()


for path in sorted(glob.glob(os.path.join(HERE, "*.j2"))):
    name = os.path.basename(path)[:-3]
    with open(path, encoding="utf-8") as f:
        header = f.readline().startswith("#jinja2:")
    refs = [("ansible", ansible)] + ([] if header else [("jinja2", plain)])
    for ref, render in refs:
        for ext in ("out", "err"):
            if os.path.exists(os.path.join(HERE, f"{name}.{ref}.{ext}")):
                os.remove(os.path.join(HERE, f"{name}.{ref}.{ext}"))
        try:
            write(os.path.join(HERE, f"{name}.{ref}.out"), render(name))
        except Exception as error:  # the reference cannot render it: recorded, not hidden
            write(os.path.join(HERE, f"{name}.{ref}.err"), f"{type(error).__name__}: {error}\n")
            print(name, ref, "ERROR", error)
