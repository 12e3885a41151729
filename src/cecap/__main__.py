"""``python -m cecap``: the same as the ``cecap`` command."""

from .cli import main

main()
