"""Domains beyond language (Henighan et al. 2020): defaults, natural units, doubts, CLI."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import InfeasibleError, InputError, compare, find_law, plan
from planner.forms.frontier import FrontierLaw
from planner.forms.model_size import ModelSizeLaw
from planner.laws.catalog import available_laws
from planner.laws.format import DOMAINS
from planner.units import PF_DAY
from tests.conftest import Run

FRONTIER = [law for law in available_laws() if isinstance(law, FrontierLaw)]
MODEL_SIZE = [law for law in available_laws() if isinstance(law, ModelSizeLaw)]
DEFAULTS = {
    "language": "besiroglu2024",
    "image": "henighan2020-image-32x32",
    "video": "henighan2020-video-vq16x16x16",
    "multimodal": "henighan2020-text-to-image",
    "math": "henighan2020-math",
}


@pytest.mark.parametrize(("domain", "law_id"), DEFAULTS.items())
def test_each_domain_plans_with_its_default_law(run: Run, domain: str, law_id: str) -> None:
    assert plan(1e21, domain=domain).law.id == law_id
    result = run("--flops", "1e21", "--domain", domain, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["law"]["id"] == law_id


def test_every_table1_row_ships() -> None:
    henighan = {law.id for law in available_laws() if law.id.startswith("henighan2020")}
    assert len(henighan) == 13  # Table 1's twelve rows and Sec. 6's printing of the 16x16 size law
    assert {law.domain for law in available_laws()} == {*DEFAULTS, "code"}  # code: transfer laws


def test_unknown_and_empty_domains_are_one_line_errors(run: Run) -> None:
    result = run("--flops", "1e21", "--domain", "audio")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: no domain 'audio'; choose one of: {', '.join(DOMAINS)}\n"
    assert run("laws", "--domain", "audio").exit_code == 2
    with pytest.raises(InputError, match="no shipped law plans code budgets yet"):
        plan(1e21, domain="code")


def test_a_law_of_another_domain_is_refused() -> None:
    with pytest.raises(InputError, match="is a image law, not video"):
        plan(1e21, "henighan2020-image-8x8", domain="video")


@pytest.mark.parametrize("law", FRONTIER, ids=lambda law: law.id)
@given(flops=st.floats(1e15, 1e30), factor=st.floats(1.5, 1e6))
def test_frontier_loss_falls_towards_its_floor_never_below(
    law: FrontierLaw, flops: float, factor: float
) -> None:
    low, high = plan(flops, law).optimum.loss, plan(flops * factor, law).optimum.loss
    assert law.params.L_inf < high < low


@pytest.mark.parametrize("law", MODEL_SIZE, ids=lambda law: law.id)
@given(params=st.floats(1e3, 1e14), factor=st.floats(1.5, 1e4))
def test_model_size_loss_falls_with_size(law: ModelSizeLaw, params: float, factor: float) -> None:
    assert law.params.L_inf <= law.params.loss(params * factor) < law.params.loss(params)


@pytest.mark.parametrize("law", MODEL_SIZE, ids=lambda law: law.id)
def test_model_size_laws_say_they_cannot_split_a_budget(law: ModelSizeLaw, run: Run) -> None:
    with pytest.raises(InfeasibleError, match=r"predicts loss from model size alone, L\(N\)"):
        plan(1e21, law)
    result = run("--flops", "1e21", "--law", law.id)
    assert result.exit_code == 2
    assert "N_opt" in result.stderr


def test_natural_units_come_from_the_law_file() -> None:
    result = plan(1e21, "henighan2020-video-vq16x16x16")
    clip, frame = result.natural_units
    assert (clip.unit, clip.tokens_per_unit, frame.unit, frame.tokens_per_unit) == (
        "clip",
        4096,
        "frame",
        256,
    )
    assert clip.count == pytest.approx(result.optimum.tokens / 4096)
    assert frame.loss_per_unit == pytest.approx(result.optimum.loss * 256)
    image = plan(1e21, "henighan2020-image-8x8").natural_units[0]
    assert image.tokens_per_unit == 3 * 8**2
    assert plan(1e21, "henighan2020-math").natural_units == ()


def test_converged_loss_comes_from_the_same_rows_model_size_law() -> None:
    result = plan(1e21, "henighan2020-image-16x16")
    law = find_law("henighan2020-image-16x16")
    assert isinstance(law, FrontierLaw)
    assert law.model_size is not None
    assert result.converged_loss == pytest.approx(law.model_size.loss(result.optimum.params))
    assert plan(1e21).converged_loss is None


def test_the_8x8_compute_constant_doubt_is_real_and_carried() -> None:
    """Table 1's 8x8 C_0 converts to 10x Table 3's per-image constant (reference flag 1)."""
    law = find_law("henighan2020-image-8x8")
    assert isinstance(law, FrontierLaw)
    per_image = law.params.C_c * 192 ** (1 / law.params.alpha_C)
    assert per_image / 1.9e3 == pytest.approx(10, rel=0.05)
    assert any("10x" in caveat for caveat in law.caveats)
    assert not any(row.reducible_loss for row in law.reproduces)


def test_the_shared_n_opt_and_bracket_doubts_are_carried() -> None:
    vq32, text_to_image = find_law("henighan2020-image-vq32x32"), find_law("henighan2020-text-to-image")
    assert isinstance(vq32, FrontierLaw)
    assert isinstance(text_to_image, FrontierLaw)
    assert (vq32.params.C_N, vq32.params.beta_N) == (text_to_image.params.C_N, text_to_image.params.beta_N)
    for law in (vq32, text_to_image):
        assert any("identical" in caveat for caveat in law.caveats)
    assert any("square brackets" in caveat for caveat in find_law("henighan2020-image-to-text").caveats)


def test_caveats_reach_the_plan_table_and_law_detail(run: Run) -> None:
    doubt = "disagrees by about 10x with Table 3"
    assert doubt in run("--flops", "1e21", "--law", "henighan2020-image-8x8").stdout
    assert doubt in run("laws", "show", "henighan2020-image-8x8").stdout
    line = json.loads(run("--flops", "1e21", "--law", "henighan2020-image-8x8", "--json").stdout)
    assert any(doubt in caveat for caveat in line["caveats"])


def test_language_row_agrees_with_gpt3_and_kaplan() -> None:
    for pf_days in (1e-3, 1.0, 1e3):
        result = plan(pf_days * PF_DAY, "henighan2020-language").optimum
        assert result.loss == pytest.approx(2.57 * pf_days**-0.048, rel=2e-3)
        assert result.params == pytest.approx(1.3e9 * pf_days**0.73, rel=1e-2)


def test_compare_within_a_domain(run: Run) -> None:
    result = compare(1e21, "image")
    assert len(result.plans) == 6  # the five image rows of Table 1 and Sec. 6's 16x16 size law
    assert {"henighan2020-image-16x16", "henighan2020-image-16x16-sec6"} <= {p.law.id for p in result.plans}
    multimodal = compare(1e21, "multimodal")
    assert {p.law.id for p in multimodal.plans} == {
        "henighan2020-text-to-image",
        "henighan2020-image-to-text",
    }
    assert {n.code for n in multimodal.notices} == {"not_compared"}
    table = run("--flops", "1e21", "--compare", "--domain", "image")
    assert table.exit_code == 0
    assert "henighan2020-image-vq32x32" in table.stdout


def test_catalog_by_domain(run: Run) -> None:
    lines = [json.loads(line) for line in run("laws", "--domain", "math", "--json").stdout.splitlines()]
    assert [line["id"] for line in lines] == ["henighan2020-math"]
    assert "henighan2020-math" in run("laws", "--domain", "math").stdout
