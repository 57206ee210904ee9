"""Compiled templates kept between builds (plugins/pelican_run.with_template_cache)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from plugins.pelican_run import with_template_cache


def _environment(settings: dict, templates: Path) -> jinja2.Environment:
    # as Pelican's generators make theirs
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), **settings["JINJA_ENVIRONMENT"])


def test_a_later_build_loads_compiled_templates_and_a_changed_one_is_compiled_again(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    templates.mkdir()
    page = templates / "page.html"
    page.write_text("{% if x %}\n<p>{{ x }}</p>\n{% endif %}", encoding="utf-8")
    base = {"CACHE_PATH": str(tmp_path / "cache"), "JINJA_ENVIRONMENT": {"trim_blocks": True, "autoescape": True}}

    first = _environment(with_template_cache(base), templates)
    assert first.get_template("page.html").render(x="<营口>") == "<p>&lt;营口&gt;</p>\n"

    compiled = []
    real_compile = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, *a, **k: compiled.append(a) or real_compile(self, *a, **k))
    second = _environment(with_template_cache(base), templates)
    assert second.get_template("page.html").render(x="鲅鱼圈") == "<p>鲅鱼圈</p>\n"
    assert compiled == []  # from the cache

    page.write_text("<div>{{ x }}</div>", encoding="utf-8")
    third = _environment(with_template_cache(base), templates)
    assert third.get_template("page.html").render(x="站前区") == "<div>站前区</div>"
    assert len(compiled) == 1


def test_other_environment_options_use_another_cache(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("{% if x %}\n{{ x }}\n{% endif %}", encoding="utf-8")
    cache = str(tmp_path / "cache")
    trimmed = with_template_cache({"CACHE_PATH": cache, "JINJA_ENVIRONMENT": {"trim_blocks": True}})
    assert _environment(trimmed, templates).get_template("page.html").render(x="盖州") == "盖州\n"
    # the same source, compiled with other options: not the trimmed code
    plain = with_template_cache({"CACHE_PATH": cache, "JINJA_ENVIRONMENT": {}})
    assert _environment(plain, templates).get_template("page.html").render(x="盖州") == "\n盖州\n"
    assert len(list(Path(cache).glob("templates-*"))) == 2
