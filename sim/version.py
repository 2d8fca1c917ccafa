"""peacesim's version: recorded in every manifest, printed by ``peacesim --version``."""

__version__ = "0.1.0"
