"""Test helpers, one place: real BDIIs (bdii_server), crafted GLUE 1.3 / 2.0 LDIF
(glue_ldif, glue2_ldif), overlays on real snapshots (overlay), the crafted audit
config (every_kind), the repository's paths (paths), and the two ways to run cecap:
in this process (cli, the default) or as a real process (process, only where the
process boundary is the point)."""
