from . import __version__ as VERSION  # noqa: N812  (one name for the version everywhere)
