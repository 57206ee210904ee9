"""The compiled-templates plugin on a tiny site with Pelican's own theme,
an overridden article template and no other plugin."""

from __future__ import annotations

import jinja2
from pelican import Pelican
from pelican.settings import read_settings

ARTICLE = "Title: 渡口早班\nDate: 2024-03-09\nSlug: ferry\n\n早班渡轮提前半小时。\n"


def _build(tmp_path, template: str, autoescape: bool = True, filters=None, **jinja) -> str:
    content, templates = tmp_path / "content", tmp_path / "templates"
    content.mkdir(exist_ok=True)
    templates.mkdir(exist_ok=True)
    (content / "ferry.md").write_text(ARTICLE, encoding="utf-8")
    (templates / "article.html").write_text(template, encoding="utf-8")
    settings = read_settings(override={
        "PATH": str(content), "OUTPUT_PATH": str(tmp_path / "out"), "CACHE_PATH": str(tmp_path / "cache"),
        "CACHE_CONTENT": False, "PLUGINS": ["plugins.archive_templates"], "PLUGIN_PATHS": [],
        "THEME_TEMPLATES_OVERRIDES": [str(templates)], "TIMEZONE": "Asia/Shanghai",
        "ARTICLE_URL": "{slug}/", "ARTICLE_SAVE_AS": "{slug}/index.html",
        "FEED_ALL_ATOM": None, "CATEGORY_FEED_ATOM": None, "AUTHOR_FEED_ATOM": None,
        "AUTHOR_FEED_RSS": None, "TRANSLATION_FEED_ATOM": None,
        "JINJA_ENVIRONMENT": {"autoescape": autoescape, **jinja}, "JINJA_FILTERS": filters or {},
    })
    Pelican(settings).run()
    return (tmp_path / "out" / "ferry" / "index.html").read_text(encoding="utf-8")


def _count_compiles(monkeypatch) -> list[str]:
    compiled = []
    real = jinja2.Environment.compile

    def compile_and_note(env, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return real(env, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile_and_note)
    return compiled


def test_a_second_build_compiles_no_template(tmp_path, monkeypatch):
    compiled = _count_compiles(monkeypatch)
    first = _build(tmp_path, "<h1>{{ article.title }}</h1>")
    assert "article.html" in compiled and "index.html" in compiled
    compiled.clear()
    assert _build(tmp_path, "<h1>{{ article.title }}</h1>") == first == "<h1>渡口早班</h1>"
    assert compiled == []


def test_an_edited_template_is_compiled_again(tmp_path, monkeypatch):
    _build(tmp_path, "<h1>{{ article.title }}</h1>")
    compiled = _count_compiles(monkeypatch)
    assert _build(tmp_path, "<p>{{ article.title }}|{{ article.slug }}</p>") == "<p>渡口早班|ferry</p>"
    assert compiled == ["article.html"]


def test_other_environment_options_do_not_share_compiled_templates(tmp_path):
    # autoescape is compiled into the template's code: the cached code of
    # one setting would escape (or not) under the other
    template = "{{ '<b>' ~ article.title ~ '</b>' }}"
    assert _build(tmp_path, template, autoescape=True) == "&lt;b&gt;渡口早班&lt;/b&gt;"
    assert _build(tmp_path, template, autoescape=False) == "<b>渡口早班</b>"
    assert _build(tmp_path, template, autoescape=True) == "&lt;b&gt;渡口早班&lt;/b&gt;"


def test_a_cache_that_cannot_be_made_is_only_a_warning(tmp_path, caplog):
    (tmp_path / "cache").write_text("a file where the cache folder would be", encoding="utf-8")
    assert _build(tmp_path, "<h1>{{ article.title }}</h1>") == "<h1>渡口早班</h1>"
    assert any("无法保存编译好的模板" in record.getMessage() for record in caplog.records)


def test_a_site_with_its_own_bytecode_cache_keeps_it(tmp_path):
    own = jinja2.FileSystemBytecodeCache(str(tmp_path / "own"))
    (tmp_path / "own").mkdir()
    assert _build(tmp_path, "<h1>{{ article.title }}</h1>", bytecode_cache=own) == "<h1>渡口早班</h1>"
    assert any((tmp_path / "own").iterdir())
    assert not (tmp_path / "cache" / "templates").exists()


def test_another_filter_does_not_reuse_what_the_last_one_computed_while_compiling(tmp_path):
    # Jinja calls a filter of a constant while compiling and keeps the
    # result in the compiled code: kept code must not outlive the filter
    template = "<p>{{ '渡口' | label }}</p>"

    def label(text):
        return text + "早班"

    assert _build(tmp_path, template, filters={"label": label}) == "<p>渡口早班</p>"

    def label(text):  # the same name, other code
        return text + "晚班"

    assert _build(tmp_path, template, filters={"label": label}) == "<p>渡口晚班</p>"
