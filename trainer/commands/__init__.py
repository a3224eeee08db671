"""One module per `trainer` subcommand; each keeps heavy imports inside run()."""
