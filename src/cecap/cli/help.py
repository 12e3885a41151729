"""`cecap help [COMMAND ...]`: the group's help with every command, or one command's."""

from __future__ import annotations

import click

from ..errors import UsageError


@click.command("help")
@click.argument("names", nargs=-1, metavar="[COMMAND]...")
@click.pass_context
def help_command(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Show every command with what it does, or one command's options (`cecap help report`,
    `cecap help results import`)."""
    context = ctx.parent if ctx.parent is not None else ctx
    command: click.Command = context.command
    for name in names:
        if not isinstance(command, click.Group):
            raise UsageError(f"{context.command_path} has no subcommands; it takes options")
        found = command.get_command(context, name)
        if found is None or found.hidden:
            known = ", ".join(n for n in command.list_commands(context) if n != "help")
            raise UsageError(
                f"no command {name!r} in {context.command_path}; the commands: {known}"
            )
        context = click.Context(found, info_name=name, parent=context)
        command = found
    click.echo(command.get_help(context))
