"""Evaluation step (pure): the model against stances and experiment policy -> verdicts,
audit findings and the Nagios check's result. No I/O, no printing."""
