"""Small LDIF entries the LDIF reader's tests share: one GlueCE, one GlueSE."""

from __future__ import annotations

CE_DN = (
    "GlueCEUniqueID=ce.example.org:2119/jobmanager-pbs-atlas,Mds-Vo-name=SITE-A,"
    "Mds-Vo-name=local,o=grid"
)
CE = f"""\
dn: {CE_DN}
objectClass: GlueCETop
objectClass: GlueCE
GlueCEUniqueID: ce.example.org:2119/jobmanager-pbs-atlas
GlueCEStateStatus: Production
GlueCEAccessControlBaseRule: VO:atlas
GlueCECapability: glexec
"""
SE = """\
dn: GlueSEUniqueID=se.example.org,Mds-Vo-name=SITE-A,Mds-Vo-name=local,o=grid
objectClass: GlueSETop
objectClass: GlueSE
GlueSEUniqueID: se.example.org
"""
