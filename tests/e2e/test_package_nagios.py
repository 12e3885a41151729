"""The Nagios definitions the packages ship (packaging/nagios-cecap.cfg, installed in
/usr/share/doc/cecap/examples): read by a real Nagios 4 (`nagios4 -v`, its own config
check) with the templates and host of a site's config, and each service's command line,
expanded as Nagios expands it, run on the sample."""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import REPO, SAMPLE

EXAMPLE = REPO / "packaging" / "nagios-cecap.cfg"
CECAP = Path(sys.executable).parent / "cecap"

# What a site's Nagios already has: the generic-service template the example uses, a
# host for the BDII, and what those need.
SITE = """
define timeperiod {
    timeperiod_name 24x7
    alias           always
    monday          00:00-24:00
}
define contact {
    contact_name                  grid-admin
    host_notifications_enabled    0
    service_notifications_enabled 0
    host_notification_period      24x7
    service_notification_period   24x7
    host_notification_options     n
    service_notification_options  n
    host_notification_commands    notify-none
    service_notification_commands notify-none
}
define contactgroup {
    contactgroup_name admins
    alias             Nagios administrators
    members           grid-admin
}
define command {
    command_name notify-none
    command_line /bin/true
}
define service {
    name                  generic-service
    register              0
    max_check_attempts    3
    check_interval        10
    retry_interval        2
    check_period          24x7
    notification_interval 0
    notification_period   24x7
    contacts              grid-admin
}
define host {
    host_name          lcg-bdii.cern.ch
    address            127.0.0.1
    max_check_attempts 3
    check_period       24x7
    contacts           grid-admin
    notification_period 24x7
}
"""


@pytest.fixture
def nagios() -> str:
    found = shutil.which("nagios4", path="/usr/sbin:/usr/bin")
    if found is None:
        pytest.fail("needs nagios4 (apt-get install nagios4-core; scripts/test.sh installs it)")
    return found


def test_nagios_reads_the_definitions(nagios: str, tmp_path: Path) -> None:
    (tmp_path / "site.cfg").write_text(SITE)
    (tmp_path / "spool").mkdir()
    main = tmp_path / "nagios.cfg"
    main.write_text(
        f"log_file={tmp_path}/nagios.log\n"
        f"cfg_file={tmp_path}/site.cfg\n"
        f"cfg_file={EXAMPLE}\n"
        f"check_result_path={tmp_path}/spool\n"
        f"lock_file={tmp_path}/nagios.lock\n"
        f"temp_file={tmp_path}/nagios.tmp\n"
        f"status_file={tmp_path}/status.dat\n"
        # Nagios drops to this user: the test's own, who can read the test's folder.
        f"nagios_user={pwd.getpwuid(os.getuid()).pw_name}\n"
        f"nagios_group={grp.getgrgid(os.getgid()).gr_name}\n"
        "illegal_macro_output_chars=`~$&|'\"<>\n"
    )
    done = subprocess.run([nagios, "-v", str(main)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Total Warnings:\s+0\n", done.stdout), done.stdout
    assert re.search(r"Total Errors:\s+0\n", done.stdout), done.stdout
    assert re.search(r"Checked 2 services\.", done.stdout), done.stdout
    assert re.search(r"Checked 2 commands\.", done.stdout), done.stdout


def test_each_service_runs_its_check(tmp_path: Path) -> None:
    text = EXAMPLE.read_text()
    command_line = re.findall(r"^\s+command_line\s+(.*)$", text, re.M)
    checks = re.findall(r"^\s+check_command\s+(.*)$", text, re.M)
    assert len(command_line) == 1 and len(checks) == 2
    state = "/var/lib/nagios/cecap/history.sqlite"
    assert state in command_line[0]
    # The folder the example says to make once (cecap never makes it).
    assert re.search(r"^# .*install -d -o nagios -g nagios /var/lib/nagios/cecap$", text, re.M)
    experiments = []
    for check in checks:
        name, *arguments = check.split("!")
        assert name == "check_cecap"
        # Nagios' own expansion: $ARGn$ is the n-th field after the command's name.
        expanded = re.sub(
            r"\$ARG(\d+)\$", lambda m, a=arguments: a[int(m.group(1)) - 1], command_line[0]
        )
        args = shlex.split(expanded)
        assert args[0] == "/usr/bin/cecap"
        assert args[args.index("--bdii") + 1] == "lcg-bdii.cern.ch:2170"
        args[0] = str(CECAP)
        args[args.index("--bdii") + 1] = str(SAMPLE)
        args[args.index("--state") + 1] = str(tmp_path / "history.sqlite")
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        experiment = args[args.index("-e") + 1]
        experiments.append(experiment)
        # The sample's 3 ready atlas CEs and 1 cms CE are below the example's ranges.
        assert done.returncode == 2, done.stderr
        assert done.stdout.startswith(f"CECAP CRITICAL - {experiment}: "), done.stdout
    assert experiments == ["atlas", "cms"]


def _service_directives(text: str) -> list[dict[str, str]]:
    blocks = re.findall(r"define service \{\n(.*?)\n\s*\}", text, re.S)
    return [dict(line.split(None, 1) for line in block.strip().splitlines()) for block in blocks]


def test_the_shipped_services_retry_and_notify_as_the_readme_says() -> None:
    """The README's service definition is the one tested in a real Nagios
    (tests/e2e/test_nagios.py); the shipped example must retry and notify alike, or a held
    WARNING never turns HARD, or is notified again every hour."""
    readme = _service_directives((REPO / "README.md").read_text())
    shipped = _service_directives(EXAMPLE.read_text())
    assert readme and len(shipped) == 2
    kept = (
        "check_interval",
        "retry_interval",
        "max_check_attempts",
        "notification_options",
        "notification_interval",
        "contact_groups",
    )
    for service in shipped:
        assert {k: service.get(k) for k in kept} == {k: readme[0].get(k) for k in kept}
