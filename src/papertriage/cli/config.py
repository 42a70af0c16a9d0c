"""config path, config show, config init."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from typing import Annotated

import typer

from ..atomicfile import PRIVATE_FILE, private_dir
from .common import CommandList, JsonAlias, app, err_console, handle_errors

config_app = typer.Typer(
    cls=CommandList,
    help="The config file: where it is, the settings in effect, a starter file.",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


@config_app.command("path")
def path() -> None:
    """Print the path of the config file ($PAPERTRIAGE_CONFIG overrides it)."""
    from ..config import config_path

    found = config_path()
    typer.echo(str(found))
    if not found.exists():
        err_console().print("(no file there yet: papertriage config init)", markup=False)


class ConfigFormat(StrEnum):
    yaml = "yaml"
    json = "json"


@config_app.command("show")
def show(
    fmt: Annotated[
        ConfigFormat, typer.Option("--format", "-f", help="Output: yaml (as the file), or json.")
    ] = ConfigFormat.yaml,
    as_json: JsonAlias = False,
) -> None:
    """Print the settings in effect: the file's, with defaults and environment overrides."""
    from ..config import load_config
    from ..fetch.settings import load_fetch_settings

    with handle_errors():
        raw = load_config()
        data = load_fetch_settings(raw).as_dict()
    data.update({k: v for k, v in raw.items() if k not in data and not k.startswith("_")})
    if as_json or fmt == ConfigFormat.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    import yaml

    origin = raw.get("_path") or "no config file: defaults"
    typer.echo(f"# {origin}")
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)


@config_app.command("init")
def init() -> None:
    """Write a commented starter config file (never over an existing one)."""
    from ..config import config_path
    from ..errors import ConfigError
    from ..fetch.settings import STARTER

    target = config_path()
    with handle_errors():
        if target.exists():
            raise ConfigError(
                f"{target}: already exists; not overwriting it (edit it, or move it away first)"
            )
        try:
            private_dir(target.parent)
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(STARTER)
        except FileExistsError:
            raise ConfigError(f"{target}: already exists; not overwriting it") from None
        except OSError as exc:
            raise ConfigError(f"{target}: cannot write ({exc.strerror})") from None
    typer.echo(str(target))
    err_console().print(
        "wrote a starter config; `papertriage config show` shows the settings in effect",
        markup=False,
    )
