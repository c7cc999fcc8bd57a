"""`flask --app wsgi directives parse FILE`: what the importer reads out of a directive, as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

directives_cli = AppGroup("directives", help="Directives (văn bản chỉ đạo): import from text.")


@directives_cli.command("parse")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--resolve", is_flag=True, help="Add each agency name's match in the registry (`resolutions`).")
def parse_command(file: Path, resolve: bool) -> None:
    """Print the tasks, agencies and deadlines read from FILE (.txt, .docx or text-layer .pdf) as JSON."""
    from coordination.importer.parser import parse_directive
    from coordination.importer.text import ImportTextError, extract_text

    try:
        data = file.read_bytes()
    except OSError as error:
        raise click.ClickException(
            _("Không đọc được tệp %(name)s: %(reason)s", name=str(file), reason=error.strerror)
        ) from error
    try:
        text = extract_text(file.name, data)
    except ImportTextError as error:
        raise click.ClickException(str(error)) from error
    extraction = parse_directive(text)
    if resolve:
        from coordination.importer.resolve import find_issuer, resolve_extraction

        # The issuer named in the text qualifies bare names ("Công an tỉnh" of that province).
        issuer = find_issuer(extraction)
        extraction["issuer_agency"] = issuer.code if issuer else None
        resolutions = resolve_extraction(extraction, issuer=issuer)
        extraction["resolutions"] = {name: r.as_json() for name, r in resolutions.items()}
    click.echo(json.dumps(extraction, ensure_ascii=False, indent=2))
