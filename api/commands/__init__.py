"""`teach` subcommands: each module here defines `register(subparsers)`; the CLI mounts them all."""
