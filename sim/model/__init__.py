"""The model's maths (docs/model.md), one module per concept, compiled by numba.

Above the scenario format, below the engine: plain functions of explicit
inputs (floats and arrays) that the engine calls once per talk round.

- ``preferences``: utilities, red lines, the value of no deal, aspirations;
- ``front``: the front line's moves and the parties' beliefs about its drift;
- ``solver``: Nash bargaining, the least-bad compromise, concession walks;
- ``grid``: proposals rounded to steps and indivisible issues;
- ``round``: what every talk round does whatever the protocol (look, answer, press),
  and rounds in a row; ``protocols/``: who proposes what, one module each, and the
  registry ``PROTOCOLS``;
- ``state``: the kernels' state, declared once (layout, workspace, trace);
- ``effects``: levers' and events' changes to parameters (plain Python);
- ``kernels``: the entry points the engine calls; ``jit``: compiling them, their
  cache keyed by this package's source, and their Python twins.
"""
