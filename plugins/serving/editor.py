"""The browser editor at /admin/: the site's own copy of Decap CMS, its page and configuration.

The bundle comes from the npm registry into cms/node_modules/ (`make cms-deps`; `make test`
and `make cms` run it). A build without it (a fresh clone, `make serve`) has no /admin/ and
says so once. The configuration is cms/config.yml (generated from the record models by
`make cms-config`) with the `backend:` the EDITOR setting names. The page carries the editor's
own Content-Security-Policy (policy.EDITOR_CONTENT_SECURITY_POLICY) and `noindex`, so it is in
no sitemap; it has no `data-pagefind-body`, so it is in no search index; robots.txt disallows it.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from build_engine.front_door import FileOutput
from portal_core.errors import PortalError

from .policy import EDITOR_PREFIX, editor_content_security_policy

logger = logging.getLogger(__name__)

#: EDITOR in pelicanconf.py overrides these.
DEFAULT_EDITOR = {
    "bundle": "cms/node_modules/decap-cms/dist",  # Decap CMS's dist/ folder
    "config": "cms/config.yml",  # the generated collections
    "backend": "github",  # github or gitlab
    "repo": "",  # owner/name on GitHub, namespace/project on GitLab
    "branch": "main",  # changes are proposed against it, never pushed to it
    "base_url": "",  # GitHub: the OAuth proxy's address; GitLab: the instance's
    "auth_endpoint": "",  # an OAuth proxy's path, when it is not Decap's default
    "app_id": "",  # GitLab: the OAuth application's id (PKCE, no proxy needed)
}
BACKENDS = ("github", "gitlab")
ENTRY = "decap-cms.js"
#: Runs before Decap: Decap then starts with its local backend at this site's own /api/v1
#: (the dev server passes it to decap-server under make cms). Decap takes only an absolute
#: address there, which the configuration file cannot know; it uses the local backend only
#: on localhost and 127.0.0.1, so a published site signs in with `backend:`.
STARTER = "start-editor.js"
#: Our own scripts, run after Decap's bundle and before it starts (from cms/): the format of
#: the site's Markdown pages (their `Key: value` header), registered as "pelican-page"; and
#: the translation notes of record texts written in the editor (a preSave listener).
OWN_SCRIPTS = ("page-format.js", "translation-notes.js")
#: Our own files served beside them: what translation-notes.js reads (make cms-config).
OWN_FILES = (*OWN_SCRIPTS, "translated-fields.json")
OWN_FOLDER = "cms"
STARTER_SCRIPT = """\
// Written by plugins/serving/editor.py.
window.CMS_MANUAL_INIT = true;
window.addEventListener("DOMContentLoaded", function () {
  window.CMS.init({ config: { local_backend: { url: window.location.origin + "/api/v1" } } });
});
"""


def editor_settings(settings: dict) -> dict:
    """Return DEFAULT_EDITOR updated with EDITOR; an unknown key or backend is an error."""
    given = settings.get("EDITOR", {})
    unknown = sorted(set(given) - set(DEFAULT_EDITOR))
    if unknown:
        raise PortalError(
            "pelicanconf.py",
            f"EDITOR: unknown key {unknown[0]!r}; known keys: " + ", ".join(sorted(DEFAULT_EDITOR)),
        )
    options = {**DEFAULT_EDITOR, **given}
    if options["backend"] not in BACKENDS:
        raise PortalError(
            "pelicanconf.py",
            f"EDITOR: backend {options['backend']!r} is not one of " + ", ".join(BACKENDS),
        )
    return options


def backend_yaml(options: dict) -> str:
    """Return the `backend:` block of the editor's configuration, from the EDITOR setting."""
    lines = ["backend:", f"  name: {options['backend']}"]
    for key in ("repo", "branch", "base_url", "auth_endpoint", "app_id"):
        if options[key]:
            lines.append(f"  {key}: {_quoted(options[key])}")
    if options["backend"] == "gitlab" and options["app_id"]:
        lines.append("  auth_type: pkce")
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def editor_page(site_name: str) -> str:
    """Return /admin/index.html: Decap CMS's page, with the editor's CSP and noindex."""
    title = html.escape(f"Content editor: {site_name}")
    csp = html.escape(editor_content_security_policy(for_meta=True))
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f"<title>{title}</title>\n"
        '<link href="config.yml" type="text/yaml" rel="cms-config-url">\n'
        f'<script src="{STARTER}"></script>\n'
        f'</head>\n<body>\n<script src="{ENTRY}"></script>\n'
        + "".join(f'<script src="{name}"></script>\n' for name in OWN_SCRIPTS)
        + "</body>\n</html>\n"
    )


def _read(path: Path):
    return lambda: path.read_bytes()


def editor_outputs(settings: dict, project: Path) -> list[FileOutput]:
    """Return /admin/'s files, or none when Decap CMS is not installed (`make cms-deps`)."""
    options = editor_settings(settings)
    bundle = project / options["bundle"]
    config = project / options["config"]
    if not (bundle / ENTRY).is_file():
        logger.info("editor: no /admin/ in this build (Decap CMS is not installed: make cms-deps)")
        return []
    folder = EDITOR_PREFIX.strip("/")
    text = backend_yaml(options) + config.read_text(encoding="utf-8")
    page = editor_page(settings.get("SITENAME", ""))
    outputs = [
        FileOutput(f"{folder}/index.html", lambda: page.encode("utf-8"), inputs=page),
        FileOutput(f"{folder}/config.yml", lambda: text.encode("utf-8"), inputs=text),
        FileOutput(f"{folder}/{STARTER}", STARTER_SCRIPT.encode, inputs=STARTER_SCRIPT),
    ]
    for name in OWN_FILES:
        own = (project / OWN_FOLDER / name).read_text(encoding="utf-8")
        outputs.append(FileOutput(f"{folder}/{name}", own.encode, inputs=own))
    # The entry script and the chunks it loads from its own folder (source maps left out).
    for path in sorted(bundle.glob(f"*{ENTRY}")):
        stat = path.stat()
        outputs.append(
            FileOutput(
                f"{folder}/{path.name}",
                _read(path),
                inputs=(str(path), stat.st_size, stat.st_mtime_ns),
            )
        )
    return outputs
