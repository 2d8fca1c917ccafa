"""One replication in time: a compiled model played by SimPy processes.

Above the model: it imports the scenario (to compile it) and the model (the
kernels it calls); the studies run it many times.

- ``compile``: a ``Scenario`` -> a ``Model``, every number a slot in one flat list,
  built once per study;
- ``replication``: one replication (``run_replication``): its random generator and
  draws, the SimPy processes (talks, events, effects ending, the horizon), what
  follows a round (levers, walkouts), and its records;
- ``records``: the columns of ``outcomes.csv`` and ``rounds.csv``;
- ``warm``, ``warmup``: a first run's background compile of the kernels (their Python
  twins run meanwhile).
"""
