"""Province scale on Apache Spark (issue 16): the same analysis, the same numbers.

Spark is an optional extra (``pip install 'eduquality[spark]'``); nothing here imports
``pyspark`` at module level, so the CLI and the rest of the package never load it unless a
command asks for the Spark engine. :mod:`~eduquality.analysis.spark.session` starts the
session (master and options from the settings), :mod:`~eduquality.analysis.spark.irt` runs the
IRT E-step over a cluster's partitions.
"""
