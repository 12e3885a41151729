"""check under a real Nagios 4 (Debian's nagios4-core), with the README's command and
service definitions as written: a drained CE is WARNING through Nagios' retries, turns
HARD and is notified once; later checks stay WARNING; its return is OK and a recovery.

Nagios runs on a private configuration, command file and state folder in the test's
folder, in the foreground, and is stopped after. The test's nagios.cfg differs from a
site's in what a test needs: interval_length 1, so the README's intervals (minutes with
Nagios' default of 60 s) are seconds; Nagios' own schedule off (execute_service_checks
0), so that the checks that run, retries included, are the ones the test forces through
the command file (SCHEDULE_FORCED_SVC_CHECK runs whatever execute_service_checks says:
NagiosEnterprises/nagioscore, tag nagios-4.4.6, base/events.c lines 969-972); SOFT
retries logged (log_service_retries). Substituted in the README's definitions,
explicitly, below: the BDII (an LDIF file the test rewrites between checks), the
installed cecap and the state file, and the experiment of check_command (the sample has 3
ready atlas CEs, CRITICAL under the README's `-c atlas=10:` throughout; lhcb, under the
plain `-w 1:`, is OK with 3).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE
from helpers.readme import readme_block

NAGIOS = Path("/usr/sbin/nagios4")
# Debian's own object files: the README's service uses its generic-service template
# (max_check_attempts 3), which needs its time periods.
DEBIAN_OBJECTS = Path("/etc/nagios4/objects")
CECAP = Path(sys.executable).parent / "cecap"
INSTALLED = "/usr/local/bin/cecap"
README_BDII = "lcg-bdii.cern.ch:2170"
README_STATE = "/var/lib/nagios/cecap/history.sqlite"
HOST = "lcg-bdii.cern.ch"
RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
# Generous: a loaded machine may be slow to run a check; nothing is timed.
WAIT = 120.0

pytestmark = pytest.mark.skipif(
    not NAGIOS.is_file() or not (DEBIAN_OBJECTS / "templates.cfg").is_file(),
    reason="a real Nagios needs Debian's nagios4-core; scripts/test.sh installs it",
)

# The test's service of two experiments.
TWO = "cecap glexec atlas and cms"
OK_OUTPUT = "CECAP OK - ready CEs: lhcb 3"
WARNING_OUTPUT = f"CECAP WARNING - lhcb: 1 no longer ready: {RAL}"


def perfdata(ready: int, not_in_production: int) -> str:
    return (
        f"lhcb_ready={ready};1:;;0 lhcb_conditional=1;;;0 lhcb_no_stance=0;;;0"
        f" lhcb_mode_mismatch=0;;;0 lhcb_site_refuses=0;;;0"
        f" lhcb_not_in_production={not_in_production};;;0 lhcb_not_advertised=1;;;0"
        " lhcb_reliable=0;;;0"
    )


def status_blocks(text: str, kind: str) -> list[dict[str, str]]:
    """The ``kind`` blocks of a status.dat: ``kind {`` then ``\\tkey=value`` lines, ``}``."""
    blocks = []
    for body in re.findall(rf"^{kind} \{{\n(.*?)^\t\}}$", text, re.MULTILINE | re.DOTALL):
        fields = {}
        for line in body.splitlines():
            key, _, value = line.strip("\t").partition("=")
            fields[key] = value
        blocks.append(fields)
    return blocks


@dataclass
class Nagios:
    """A Nagios started on the folder ``home``, and what the test reads of it."""

    home: Path
    process: subprocess.Popen[bytes]

    @property
    def log(self) -> str:
        return (self.home / "nagios.log").read_text(encoding="utf-8", errors="replace")

    def service(self, description: str) -> dict[str, str]:
        status = self.home / "status.dat"
        text = status.read_text(encoding="utf-8") if status.is_file() else ""
        found = [
            s
            for s in status_blocks(text, "servicestatus")
            if s.get("host_name") == HOST and s.get("service_description") == description
        ]
        return found[0] if found else {}

    def notifications(self) -> list[list[str]]:
        path = self.home / "notifications"
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        return [line.split("\t") for line in text.splitlines()]

    def alerts(self, description: str) -> list[str]:
        prefix = f"SERVICE ALERT: {HOST};{description};"
        return [line.split(prefix, 1)[1] for line in self.log.splitlines() if prefix in line]

    def command(self, text: str) -> None:
        """One external command through the command file (a FIFO Nagios reads)."""
        line = f"[{int(time.time())}] {text}\n".encode()
        fd = self._open_command_file()
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def _open_command_file(self) -> int:
        path = self.home / "nagios.cmd"
        deadline = time.monotonic() + WAIT
        while True:
            self.alive()
            try:
                # Non-blocking: ENXIO until Nagios' command file worker reads it.
                return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except (FileNotFoundError, OSError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"Nagios never opened its command file {path}") from None
                time.sleep(0.1)

    def alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"Nagios exited with {self.process.returncode}:\n{self.log}")

    def wait_for(self, what: str, found: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT
        while not found():
            self.alive()
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {WAIT:g} s; nagios.log:\n{self.log}")
            time.sleep(0.1)

    def check(self, description: str) -> dict[str, str]:
        """Force a check of the service now; its status once Nagios has written the result."""
        before = int(self.service(description).get("last_check") or 0)
        # last_check is in whole seconds: a check forced within the second of the last
        # one could not be told from it.
        while int(time.time()) <= before:
            time.sleep(0.05)
        self.command(f"SCHEDULE_FORCED_SVC_CHECK;{HOST};{description};{int(time.time())}")
        self.wait_for(
            f"new result of {description!r}",
            lambda: int(self.service(description).get("last_check") or 0) > before,
        )
        return self.service(description)


def readme_definitions(bdii: Path, state: Path) -> tuple[str, str]:
    """The README's command and service definitions, with the substitutions above."""
    command = readme_block("Running from cron", "define command")
    service = readme_block("Running from cron", "define service")
    assert command.count("{") == service.count("{") == 1
    assert README_BDII in service and INSTALLED in command and README_STATE in command
    command = command.replace(INSTALLED, shlex.quote(str(CECAP)))
    command = command.replace(README_STATE, shlex.quote(str(state)))
    service = service.replace(f"!{README_BDII}!atlas", f"!{bdii}!lhcb")
    assert str(bdii) in service
    return command, service


@pytest.fixture
def nagios(tmp_path: Path) -> Iterator[tuple[Nagios, Path, str]]:
    """Nagios running the README's definitions; the BDII file the checks read, and the
    README's service's description. The history is tmp_path / "history.sqlite"."""
    home = tmp_path / "nagios"
    home.mkdir()
    (home / "checkresults").mkdir()
    bdii = tmp_path / "bdii.ldif"
    bdii.write_bytes(SAMPLE.read_bytes())
    state = tmp_path / "history.sqlite"
    command, service = readme_definitions(bdii, state)
    description = re.search(r"^\s*service_description\s+(.+?)\s*$", service, re.MULTILINE)
    assert description is not None
    # The test's own: the host the README's service is on, the admins it notifies (a
    # command that appends to a file), and a service of two experiments whose status line
    # shows how cecap separates them and words a range open below.
    notify = (
        "/usr/bin/printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' \"$SERVICEDESC$\""
        ' "$NOTIFICATIONTYPE$" "$SERVICESTATE$" "$SERVICESTATETYPE$" "$SERVICEATTEMPT$"'
        f' "$SERVICEOUTPUT$" >> {home / "notifications"}'
    )
    (home / "objects.cfg").write_text(
        f"""{command}
{service}
define command {{
    command_name    notify-to-file
    command_line    {notify}
}}
define contact {{
    contact_name                    operator
    use                             generic-contact
    service_notification_commands   notify-to-file
    host_notification_commands      notify-to-file
}}
define contactgroup {{
    contactgroup_name   admins
    members             operator
}}
define host {{
    use                 generic-host
    host_name           {HOST}
    address             127.0.0.1
    max_check_attempts  1
    contact_groups      admins
}}
define command {{
    command_name    check_cecap_ranges
    command_line    {shlex.quote(str(CECAP))} check --bdii $ARG1$ -e atlas,cms -w atlas=~:2 -c cms=5: --state {shlex.quote(str(state))} --timeout 50
}}
define service {{
    use                     generic-service
    host_name               {HOST}
    service_description     {TWO}
    check_command           check_cecap_ranges!{bdii}
    max_check_attempts      1
}}
""",
        encoding="utf-8",
    )
    (home / "nagios.cfg").write_text(
        "\n".join(
            [
                f"log_file={home / 'nagios.log'}",
                f"cfg_file={DEBIAN_OBJECTS / 'timeperiods.cfg'}",
                f"cfg_file={DEBIAN_OBJECTS / 'templates.cfg'}",
                f"cfg_file={home / 'objects.cfg'}",
                f"object_cache_file={home / 'objects.cache'}",
                f"precached_object_file={home / 'objects.precache'}",
                f"status_file={home / 'status.dat'}",
                "status_update_interval=1",
                f"nagios_user={os.getuid()}",
                f"nagios_group={os.getgid()}",
                "check_external_commands=1",
                f"command_file={home / 'nagios.cmd'}",
                f"lock_file={home / 'nagios.lock'}",
                f"temp_file={home / 'nagios.tmp'}",
                f"temp_path={home}",
                f"check_result_path={home / 'checkresults'}",
                "retain_state_information=0",
                f"state_retention_file={home / 'retention.dat'}",
                "interval_length=1",
                "log_rotation_method=n",
                "use_syslog=0",
                "log_service_retries=1",
                "enable_notifications=1",
                "enable_event_handlers=0",
                "enable_flap_detection=0",
                "execute_host_checks=0",
                "execute_service_checks=0",
                # Debian's default, as its nagios.cfg sets it.
                "illegal_macro_output_chars=`~$&|'\"<>",
                "",
            ]
        ),
        encoding="utf-8",
    )
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
    }
    verify = subprocess.run(
        [str(NAGIOS), "-v", str(home / "nagios.cfg")],
        capture_output=True,
        text=True,
        env=env,
        timeout=WAIT,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    process = subprocess.Popen(
        [str(NAGIOS), str(home / "nagios.cfg")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        yield Nagios(home, process), bdii, description.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def test_a_drained_ce_is_hard_and_notified_once_then_recovers(
    nagios: tuple[Nagios, Path, str], tmp_path: Path
) -> None:
    server, bdii, service = nagios
    state = tmp_path / "history.sqlite"
    first = server.check(service)
    assert (first["current_state"], first["state_type"]) == ("0", "1")
    assert first["plugin_output"] == OK_OUTPUT
    assert first["performance_data"] == perfdata(3, 0)
    assert first["long_plugin_output"] == (
        "lhcb OK: 3 ready of 5 CEs serving VO lhcb (first recorded run)"
    )

    # RAL's CE drains between two checks.
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    os.replace(drained, bdii)
    seen = [server.check(service) for _ in range(3)]
    assert [(s["state_type"], s["current_attempt"]) for s in seen] == [
        ("0", "1"),
        ("0", "2"),
        ("1", "3"),
    ]
    # Every attempt gave the same answer: SOFT 1, SOFT 2, then HARD at the third, as
    # max_check_attempts 3 says.
    assert server.alerts(service) == [
        f"WARNING;SOFT;1;{WARNING_OUTPUT}",
        f"WARNING;SOFT;2;{WARNING_OUTPUT}",
        f"WARNING;HARD;3;{WARNING_OUTPUT}",
    ]
    for status in seen:
        assert status["current_state"] == "1"
        assert status["plugin_output"] == WARNING_OUTPUT
        assert status["performance_data"] == perfdata(2, 1)
    assert seen[-1]["current_attempt"] == "3"
    server.wait_for("the notification", lambda: len(server.notifications()) >= 1)
    assert server.notifications() == [[service, "PROBLEM", "WARNING", "HARD", "3", WARNING_OUTPUT]]

    # Later checks in the window stay WARNING, and notify nobody again.
    for _ in range(2):
        later = server.check(service)
        assert (later["current_state"], later["state_type"]) == ("1", "1")
        assert later["plugin_output"] == WARNING_OUTPUT
        assert "no longer ready since " in later["long_plugin_output"]
    assert len(server.notifications()) == 1

    # RAL's CE comes back: OK at once, and a recovery.
    bdii.write_bytes(SAMPLE.read_bytes())
    back = server.check(service)
    assert (back["current_state"], back["state_type"]) == ("0", "1")
    assert back["plugin_output"] == OK_OUTPUT
    assert back["performance_data"] == perfdata(3, 0)
    server.wait_for("the recovery", lambda: len(server.notifications()) >= 2)
    assert server.notifications() == [
        [service, "PROBLEM", "WARNING", "HARD", "3", WARNING_OUTPUT],
        [service, "RECOVERY", "OK", "HARD", "3", OK_OUTPUT],
    ]
    assert server.alerts(service)[3:] == [f"OK;HARD;3;{OK_OUTPUT}"]
    # Every check Nagios ran is a recorded run; the drain was held from the first that
    # saw it to the one that saw RAL back.
    with sqlite3.connect(state) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 7
        assert conn.execute("SELECT ce, since_run, until_run FROM held").fetchall() == [(RAL, 2, 7)]


def test_the_status_line_reaches_the_notification_as_cecap_wrote_it(
    nagios: tuple[Nagios, Path, str],
) -> None:
    """Nagios turns every ';' of a status line into ':' (in status.dat and after), and
    strips illegal_macro_output_chars (`~$&|'"<>) from it in notifications: cecap's status
    line has none of them, experiments apart and a range open below (~:2) included."""
    server, _, _ = nagios
    both = server.check(TWO)
    output = (
        "CECAP CRITICAL - cms: 1 ready (critical: outside 5:). atlas: 3 ready (warning: above 2)"
    )
    assert (both["current_state"], both["state_type"]) == ("2", "1")
    assert both["plugin_output"] == output
    assert both["performance_data"].startswith("atlas_ready=3;~:2;;0 ")
    assert " cms_ready=1;;5:;0 " in both["performance_data"]
    server.wait_for("the notification", lambda: len(server.notifications()) >= 1)
    assert server.notifications() == [[TWO, "PROBLEM", "CRITICAL", "HARD", "1", output]]
