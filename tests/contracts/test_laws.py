"""Every shipped law file: valid, consistently built, and true to the numbers its source quotes."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from planner.errors import InputError, LawFileError, LawNotFoundError
from planner.forms import law_class
from planner.forms.base import Law
from planner.forms.kaplan_nd import KaplanNDLaw
from planner.forms.transfer import TransferLaw
from planner.laws.__main__ import law_arrays, law_index
from planner.laws.catalog import (
    _catalog_paths,
    available_laws,
    build,
    default_law,
    default_transfer_law,
    find_law,
    laws_dir,
    load_law,
    planning_laws,
    transfer_laws,
)
from planner.laws.format import DOMAINS, Reproduction, same_law
from planner.laws.index import Index, built
from planner.planning.budget import plan, reproduce, why_unplannable

BAD_LAWS = Path(__file__).parents[1] / "bad_laws"
SHIPPED = sorted(laws_dir().glob("*/*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_shipped_file_validates_and_the_fast_paths_build_the_same_law(path: Path) -> None:
    """Validated in full, read from the index, and built from its TOML: one and the same law."""
    validated = load_law(path)
    relative = path.relative_to(laws_dir()).as_posix()
    indexed = Index(str(laws_dir())).law(relative, path.read_bytes())
    raw = tomllib.loads(path.read_text())
    built = build(law_class(raw["form"]), raw)
    assert indexed is not None, "the index is stale: run python -m planner.laws"
    assert repr(validated) == repr(indexed) == repr(built)  # repr tells tuples from lists
    assert same_law(validated, find_law(path.stem))
    assert _catalog_paths()[path.stem] == relative
    assert validated.id == path.stem
    assert path.parent.name == validated.domain


def test_the_index_is_current() -> None:
    assert law_index() == (laws_dir() / "index.jsonl").read_text(), (
        "laws/index.jsonl is stale: run python -m planner.laws"
    )


def test_the_kept_draws_are_current() -> None:
    assert law_arrays() == (laws_dir() / "index.arrays").read_bytes(), (
        "laws/index.arrays is stale: run python -m planner.laws"
    )


def test_the_chip_index_is_current() -> None:
    from planner.hardware import render_index as chip_index
    from planner.hardware import table_path

    assert chip_index(table_path()) == Path(f"{table_path()}.index.json").read_text(), (
        "the chip table's index is stale: run python -m planner.laws"
    )
    data = table_path().read_bytes()
    assert built(str(table_path()), data) is not None
    assert built(str(table_path()), data + b"\n") is None


def test_a_changed_or_unknown_file_is_not_read_from_the_index(tmp_path: Path) -> None:
    index = Index(str(laws_dir()))
    text = (laws_dir() / "language" / "hoffmann2022.toml").read_bytes()
    assert index.law("language/hoffmann2022.toml", text) is not None
    assert index.law("language/hoffmann2022.toml", text.replace(b"0.34", b"0.35")) is None
    assert index.law("language/unknown2026.toml", text) is None
    assert index.defaults(b"language = 1") is None
    assert Index(str(tmp_path)).law("language/hoffmann2022.toml", text) is None  # no index there


def test_the_catalog_is_found_and_ids_are_unique() -> None:
    assert laws_dir().is_dir()
    stems = [path.stem for path in laws_dir().glob("*/*.toml")]
    assert len(stems) == len(set(stems)) >= 5


def test_each_domain_with_budget_laws_has_a_valid_default(laws: list[Law]) -> None:
    from pydantic import TypeAdapter

    from planner.laws.catalog import Default, defaults, is_default
    from planner.planning.budget import why_unplannable

    raw = tomllib.loads((laws_dir() / "defaults.toml").read_text())
    validated = TypeAdapter(dict[str, Default]).validate_python(raw)
    assert {key: same_law(entry, defaults()[key]) for key, entry in validated.items()} == dict.fromkeys(
        defaults(), True
    )
    plannable = {law.domain for law in laws if why_unplannable(law) is None}
    assert set(defaults()) == plannable | {"transfer"}
    for domain in plannable:
        law = default_law(domain)
        assert (law.id, law.domain) == (defaults()[domain].law, domain)
        assert why_unplannable(law) is None
    assert all(entry.why for entry in defaults().values())
    assert is_default(find_law("besiroglu2024"))
    assert not is_default(find_law("hoffmann2022"))
    assert default_transfer_law().id == "hernandez2021-text"
    assert is_default(default_transfer_law())


def test_code_has_no_default_budget_law() -> None:
    """The code laws are transfer laws, so a plan never picks one up as a default."""
    with pytest.raises(InputError, match="no shipped law plans code budgets yet"):
        default_law("code")
    assert [why_unplannable(law) for law in planning_laws("code")] == []


@pytest.mark.parametrize(
    ("law", "row"),
    [(law, row) for law in available_laws() for row in law.reproduces],
    ids=lambda item: getattr(item, "id", None) or getattr(item, "quote", "")[:40],
)
def test_law_reproduces_its_source(law: Law, row: Reproduction) -> None:
    got = reproduce(law, row)
    for name, expected in row.expected().items():
        assert got[name] == pytest.approx(expected, rel=row.rel_tol), f"{law.id}: {row.quote}"


def test_every_transfer_law_quotes_a_published_number() -> None:
    assert all(law.reproduces for law in transfer_laws())
    assert {law.id for law in transfer_laws()} == {"hernandez2021-text", "hernandez2021-text-code"}


@pytest.mark.parametrize("law", transfer_laws(), ids=lambda law: law.id)
def test_transfer_laws_estimate_converged_data_with_a_shipped_kaplan_nd_law(law: TransferLaw) -> None:
    """D(N) for the low-data regime comes from a law that counts N the same way."""
    source = find_law(law.regime.converged_data_law)
    assert isinstance(source, KaplanNDLaw)
    assert source.quantities.params == law.quantities.params == "non_embedding"
    assert law.quantities.data_unit == "characters"


def test_transfer_law_values_are_table_1_as_printed() -> None:
    """Hernandez et al. 2021, Table 1 (secondary-source values, as the caveats say)."""
    text, code = find_law("hernandez2021-text"), find_law("hernandez2021-text-code")
    assert isinstance(text, TransferLaw)
    assert isinstance(code, TransferLaw)
    assert (text.params.k, text.params.alpha, text.params.beta) == (1.9e4, 0.18, 0.38)
    assert (code.params.k, code.params.alpha, code.params.beta) == (2.1e5, 0.096, 0.38)
    for law in (text, code):
        assert any("Secondary-source" in caveat for caveat in law.caveats)
        assert law.regime.low_data_fraction == 0.1
        assert law.regime.converged_performance == 0.99
        assert law.fitted_range.decades == {"params": 4, "finetune_chars": 3}


def test_every_chinchilla_and_kaplan_law_quotes_a_published_number() -> None:
    quoted = {law.id for law in available_laws() if law.reproduces}
    assert {"hoffmann2022", "hoffmann2022-exact", "besiroglu2024", "kaplan2020", "muennighoff2023"} <= quoted


def test_exact_chinchilla_gives_40b_at_the_gopher_budget() -> None:
    """Fig. 4 caption of Hoffmann et al. 2022; rounded Eq. (10) constants give 32B instead."""
    assert plan(5.76e23, "hoffmann2022-exact").optimum.params == pytest.approx(40e9, rel=0.02)
    assert plan(5.76e23, "hoffmann2022").optimum.params == pytest.approx(32.2e9, rel=0.01)


def test_epoch_refit_gives_chinchilla_70b_on_1_4t() -> None:
    got = plan(5.76e23, "besiroglu2024").optimum
    assert got.params == pytest.approx(70e9, rel=0.1)
    assert got.tokens == pytest.approx(1.4e12, rel=0.1)


def test_kaplan_frontier_gives_1_3b_at_one_pf_day() -> None:
    assert plan(8.64e19, "kaplan2020").optimum.params == pytest.approx(1.3e9, rel=1e-9)


def test_kaplan_table2_fit_implies_the_overfitting_bound_of_eq_4_4() -> None:
    """Kaplan Eq. (4.4), D >~ 5e3 N^0.74, follows from Eq. (4.3) at a 2% loss penalty.

    Solving (1 + (N/N_c)^(a_N/a_D) D_c/D)^a_D = 1.02 for D with the Table 2 fit must give
    about 5e3 N^0.74 across model sizes.
    """
    law = find_law("kaplan2020-nd").params
    p = law.alpha_N / law.alpha_D  # type: ignore[union-attr]
    for n in (1e7, 1e9, 1e11):
        d = law.D_c * (n / law.N_c) ** p / (1.02 ** (1 / law.alpha_D) - 1)  # type: ignore[union-attr]
        assert d == pytest.approx(5e3 * n**0.74, rel=0.25)
    assert p == pytest.approx(0.74, abs=0.005)


def test_kaplan_constants_line_up_with_the_contradiction_point() -> None:
    """Eq. (6.8): at C* ~ 1e4 PF-days, N* ~ 1e12 and L* ~ 1.7 nats/token."""
    got = plan(1e4 * 8.64e19, "kaplan2020").optimum
    assert math.log10(got.params) == pytest.approx(12, abs=0.1)
    assert got.loss == pytest.approx(1.7, abs=0.05)


def test_published_standard_errors_are_carried() -> None:
    stderr = find_law("besiroglu2024").stderr
    assert stderr == {"E": 0.02566, "A": 124.52232, "B": 1293.2841, "alpha": 0.0154, "beta": 0.0206}


@pytest.mark.parametrize("path", sorted(BAD_LAWS.glob("*.toml")), ids=lambda path: path.stem)
def test_bad_law_file_reports_every_problem(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD_LAWS)
    with pytest.raises(LawFileError) as caught:
        load_law(Path(path.name))
    assert str(caught.value) + "\n" == path.with_suffix(".expected").read_text()


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    text = (laws_dir() / "language" / "hoffmann2022.toml").read_text()
    copy = tmp_path / "mylaw2024.toml"
    copy.write_text(text)
    with pytest.raises(LawFileError, match="id: 'hoffmann2022' must equal the file name 'mylaw2024'"):
        load_law(copy)


def test_a_law_file_given_by_path_is_usable(tmp_path: Path) -> None:
    text = (laws_dir() / "language" / "hoffmann2022.toml").read_text()
    copy = tmp_path / "hoffmann2022.toml"
    copy.write_text(text)
    assert plan(1e21, str(copy)).optimum == plan(1e21, "hoffmann2022").optimum


def test_unreadable_file_and_unknown_id_are_clear(tmp_path: Path) -> None:
    with pytest.raises(LawFileError, match="cannot read the file"):
        load_law(tmp_path / "missing2024.toml")
    with pytest.raises(LawNotFoundError, match="no law named 'nope'; choose one of: besiroglu2024"):
        find_law("nope")


def test_domains_are_the_documented_ones() -> None:
    assert DOMAINS == ("language", "image", "video", "multimodal", "math", "code")


def test_same_law_compares_the_data_not_the_object(tmp_path: Path) -> None:
    shipped = find_law("hoffmann2022")
    copy = tmp_path / "hoffmann2022.toml"
    copy.write_text((laws_dir() / "language" / "hoffmann2022.toml").read_text())
    reloaded = load_law(copy)
    assert reloaded is not shipped
    assert same_law(reloaded, shipped)
    assert not same_law(shipped, find_law("hoffmann2022-exact"))
    assert not same_law(shipped.params, shipped)


def test_llama3_printed_constants_miss_the_papers_own_402b_on_16_55t() -> None:
    """(alpha, A) = (0.53, 0.29) as printed give 1.05e13 tokens and 6.05e11 parameters at
    3.8e25 FLOPs; Sec. 3.2.1 says 16.55T and 402B. Both numbers, so the caveat stays true."""
    optimum = plan(3.8e25, "dubey2024-llama3").optimum
    assert optimum.tokens == pytest.approx(1.05e13, rel=0.01)
    assert optimum.params == pytest.approx(6.05e11, rel=0.01)
    assert optimum.tokens / 16.55e12 == pytest.approx(0.632, rel=0.01)
    assert optimum.params / 402e9 == pytest.approx(1.506, rel=0.01)
    assert optimum.loss is None


def test_llama3_flagship_is_a_6nd_run_of_3_8e25_flops() -> None:
    """405B trainable parameters on 15.6T tokens at 3.8e25 FLOPs (Sec. 1): C = 6ND holds."""
    flops = 6 * 405e9 * 15.6e12
    assert flops == pytest.approx(3.8e25, rel=0.01)
    law = find_law("dubey2024-llama3")
    assert any("405B parameters on 15.6T tokens" in caveat for caveat in law.caveats)


def test_deepseek_allocation_spends_c_as_m_d() -> None:
    """M_opt D_opt = 0.1715 x 5.8316 C = C (Eq. 4 with C = M D), and the params are M / 6."""
    optimum = plan(1e21, "deepseek2024").optimum
    assert 6 * optimum.params == pytest.approx(0.1715 * 1e21**0.5243, rel=1e-12)
    assert optimum.tokens == pytest.approx(5.8316 * 1e21**0.4757, rel=2e-4)


def test_hoffmann_approaches_1_and_2_at_1e21_sit_near_the_epoch_refit() -> None:
    """Approaches 1 and 2 agree with each other within 1% at 1e21 (2.82B and 2.82B)."""
    first, second = plan(1e21, "hoffmann2022-approach1").optimum, plan(1e21, "hoffmann2022-approach2").optimum
    assert first.params == pytest.approx(second.params, rel=0.01)
