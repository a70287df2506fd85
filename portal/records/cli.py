"""flask --app portal records import FILE: the import of the admin page, from the command line, with its report."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.errors import ServiceError
from portal.extensions import db

records_cli = AppGroup("records", help="Environmental credit ratings and penalty records.")


@records_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_records(path: Path):
    """Imports a CSV or Excel file of credit ratings or penalty records; invalid rows are listed and left out."""
    from portal.records import imports

    try:
        pending = imports.upload(path.name, path.read_bytes(), actor=None)
    except ServiceError as err:
        raise click.ClickException(str(err.message)) from err
    parsed = imports.parse(pending)
    if parsed.kind is None or parsed.blocked:
        db.session.rollback()
        for problem in parsed.problems:
            click.echo(f"  {problem.message}", err=True)
        raise click.ClickException("nothing was imported")
    report = imports.apply(pending, actor=None)
    db.session.commit()
    for problem in report.parsed.problems:
        click.echo(f"  row {problem.row}, column {problem.column}: {problem.message}")
    for row in report.unmatched:
        click.echo(f"  row {row.number}: {row.values['credit_code']} matches no organisation yet (kept)")
    counts = report.counts()
    click.echo(f"{path.name} ({report.parsed.kind}): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
