"""benchmarks/generate_bdii.py: deterministic, top-level layout, real-like proportions and joins."""

from __future__ import annotations

import gzip
import importlib.util
import io
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from helpers.paths import BENCHMARKS

SCRIPT = BENCHMARKS / "generate_bdii.py"
N_SITES = 3


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_bdii", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _generate(n_sites: int = N_SITES, seed: int = 1) -> tuple[str, dict[str, int]]:
    buf = io.StringIO()
    counts = gen.generate(n_sites, buf, seed=seed)
    return buf.getvalue(), counts


def _entries(text: str) -> list[tuple[str, dict[str, list[str]]]]:
    """(dn, attributes) per entry; the generator never folds lines."""
    entries = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        lines = block.split("\n")
        assert lines[0].startswith("dn: ")
        attrs: dict[str, list[str]] = {}
        for line in lines[1:]:
            key, value = line.split(": ", 1)
            attrs.setdefault(key, []).append(value)
        entries.append((lines[0][4:], attrs))
    return entries


def test_same_size_and_seed_give_identical_output() -> None:
    first, counts = _generate()
    second, counts_again = _generate()
    assert first == second
    assert counts == counts_again
    assert counts["bytes"] == len(first.encode("ascii"))
    assert _generate(seed=2)[0] != first


def test_gzip_output_is_byte_identical_and_matches_text(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ldif.gz", tmp_path / "b.ldif.gz"
    assert gen.main(["--sites", "2", "-o", str(a)]) == 0
    assert gen.main(["--sites", "2", "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert gzip.decompress(a.read_bytes()).decode("ascii") == _generate(2)[0]


def test_top_level_layout_parents_first_and_unique_names() -> None:
    text, counts = _generate()
    entries = _entries(text)
    assert [dn for dn, _ in entries[:2]] == ["o=grid", "Mds-Vo-name=local,o=grid"]
    seen: set[str] = set()
    for dn, _ in entries[2:]:
        assert dn.endswith(",Mds-Vo-name=local,o=grid")
        assert dn.split(",", 1)[1] in seen or dn.count(",") == 2, f"parent after child: {dn}"
        assert dn not in seen
        seen.add(dn)
    names = [a["GlueSiteName"][0] for _, a in entries if "GlueSite" in a["objectClass"]]
    assert (
        names == [gen.site_name(i) for i in range(N_SITES)] == ["CERN-PROD", "FZK-LCG2", "RAL-LCG2"]
    )
    assert counts["entries"] == len(entries)


def test_site_names_continue_with_unique_synthetic_ones() -> None:
    names = [gen.site_name(i) for i in range(45)]
    assert len(set(names)) == 45
    assert gen.site_name(40) == "SYNTH-0041"


def _site_of(dn: str) -> str:
    return dn.removesuffix(",Mds-Vo-name=local,o=grid").rsplit("Mds-Vo-name=", 1)[1]


def test_per_site_proportions() -> None:
    text, counts = _generate()
    entries = _entries(text)[2:]
    per_site = Counter(_site_of(dn) for dn, _ in entries)
    ces_per_site = Counter(_site_of(dn) for dn, a in entries if "GlueCE" in a["objectClass"])
    assert len(per_site) == len(ces_per_site) == N_SITES
    # The real 2008 dump, less its CESEBind entries: about 65 entries and 12 CEs a site.
    assert 50 <= sum(per_site.values()) / N_SITES <= 80, per_site
    assert all(8 <= n <= 16 for n in ces_per_site.values()), ces_per_site
    assert counts["ces"] == sum(ces_per_site.values())


def test_every_ce_reaches_its_site_through_its_cluster() -> None:
    entries = _entries(_generate()[0])
    sites = {a["GlueSiteUniqueID"][0] for _, a in entries if "GlueSite" in a["objectClass"]}
    clusters = {
        a["GlueClusterUniqueID"][0]: a for _, a in entries if "GlueCluster" in a["objectClass"]
    }
    ces = [a for _, a in entries if "GlueCE" in a.get("objectClass", [])]
    assert ces
    for ce in ces:
        (cluster_key,) = [k for k in ce["GlueForeignKey"] if k.startswith("GlueClusterUniqueID=")]
        cluster = clusters[cluster_key.split("=", 1)[1]]
        assert f"GlueCEUniqueID={ce['GlueCEUniqueID'][0]}" in cluster["GlueForeignKey"]
        (site_key,) = [k for k in cluster["GlueForeignKey"] if k.startswith("GlueSiteUniqueID=")]
        assert site_key.split("=", 1)[1] in sites
        assert ce["GlueCEAccessControlBaseRule"]


def test_some_ces_advertise_glexec_and_near_misses_do_not_count() -> None:
    text, counts = _generate()
    capabilities = [
        a.get("GlueCECapability", []) for _, a in _entries(text) if "GlueCE" in a["objectClass"]
    ]
    exact = sum("glexec" in caps for caps in capabilities)
    assert counts["glexec_ces"] == exact > 0
    assert exact < counts["ces"]


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError):
        gen.generate(-1, io.StringIO())
