"""Many replications: studies, sweeps and thresholds, and the folders they leave.

Above the engine: it runs ``engine.replication`` on any executor; the outputs
read what it saves. It never draws: a study takes an optional ``draw`` callable
for its figures (``sim.api`` passes ``sim.outputs``'s).

- ``runner``: replications in chunks on a process pool or Dask, in replication order;
- ``study``: run or resume one study into a folder (``run``, ``resume``);
- ``sweeps``: a study at every point of a design; ``thresholds``: the value of a
  parameter at which a target is reached (bisection with paired seeds);
- ``folders``: a run folder on disk (written atomically, checked on resume);
- ``stats``: the summary of the outcome rows; ``results``: a study's tables in memory.
"""
