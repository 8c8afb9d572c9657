"""The chip table and the conversions FLOPs <-> GPU-hours <-> days <-> cost."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import DataFileError, InputError
from planner.hardware import (
    DEFAULT_MFU,
    budget,
    chips,
    cost_of,
    days_for,
    find_chip,
    flops_for,
    gpu_hours_for,
    gpu_hours_in,
    hardware,
    load_table,
    table,
    table_path,
    use,
)

TABLE_TEXT = table_path().read_text()


def test_shipped_table_validates_and_the_fast_build_agrees() -> None:
    assert load_table(table_path()) == table()


def test_the_table_has_every_chip_the_issue_asks_for() -> None:
    assert [chip.id for chip in chips()] == [
        "a100-40gb",
        "a100-80gb",
        "h100-sxm",
        "h100-pcie",
        "h200",
        "b200",
        "mi300x",
        "tpu-v4",
        "tpu-v5e",
        "tpu-v5p",
    ]


@pytest.mark.parametrize(
    ("chip", "bf16", "fp8", "memory"),
    [
        # (id, dense bf16 TFLOP/s, dense fp8 TFLOP/s, memory bytes); sparse quotes halved.
        ("a100-40gb", 312.0, None, 40e9),
        ("a100-80gb", 312.0, None, 80e9),
        ("h100-sxm", 1979 / 2, 3958 / 2, 80e9),
        ("h100-pcie", 1513 / 2, 3026 / 2, 80e9),
        ("h200", 1979 / 2, 3958 / 2, 141e9),
        ("b200", 4500 / 2, 9000 / 2, 180e9),
        ("mi300x", 1307.4, 2614.9, 192e9),
        ("tpu-v4", 275.0, None, 32 * 2**30),
        ("tpu-v5e", 197.0, None, 16e9),
        ("tpu-v5p", 459.0, None, 95e9),
    ],
)
def test_figures_are_the_dense_ones_from_the_quoted_source(
    chip: str, bf16: float, fp8: float | None, memory: float
) -> None:
    found = find_chip(chip)
    assert found.bf16_tflops == bf16
    assert found.peak_flops_per_second == bf16 * 1e12
    assert found.fp8_tflops == fp8
    assert found.memory_bytes == memory
    printed = 2 * bf16 if found.source.sparse else bf16
    spellings = (
        f"{printed:,.0f} TFLOPS",
        f"{printed:g} TFLOPs",
        f"{printed:g} teraflops",
        f"{printed / 1000:g} PFLOPS",
    )
    assert any(spelling in found.source.quote for spelling in spellings), found.source.quote


def test_every_chip_says_where_its_figures_were_read() -> None:
    for chip in chips():
        assert chip.source.url.startswith("https://")
        if chip.source.checked == "copy":
            assert chip.source.seen_at
        if chip.source.sparse:
            assert "sparsity" in chip.source.quote or "sparsity" in " ".join(chip.caveats)


def test_ids_and_aliases_are_case_insensitive() -> None:
    assert find_chip("H100") == find_chip("h100-sxm")
    assert find_chip(" TPU-v5p ").id == "tpu-v5p"


def test_unknown_gpu_lists_the_valid_ones() -> None:
    with pytest.raises(
        InputError, match="no GPU named 'h1000'; choose one of: a100-40gb, a100-80gb, h100-sxm"
    ) as caught:
        find_chip("h1000")
    assert "h100 = h100-sxm" in str(caught.value)


def test_bad_table_reports_every_problem(tmp_path: Path) -> None:
    broken = TABLE_TEXT.replace("bf16_tflops = 312.0", 'bf16_tflops = "fast"', 1)
    broken = broken.replace('vendor = "AMD"', 'vendor = "AMD"\nvendr = "AMD"', 1)
    broken = broken.replace('checked = "vendor"', 'checked = "maybe"', 1)
    path = tmp_path / "hardware.toml"
    path.write_text(broken)
    with pytest.raises(DataFileError) as caught:
        load_table(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path} is not a valid chip table; fix these and retry:"
    assert (
        "  chips.0.bf16_tflops: Input should be a valid number, unable to parse string as a number" in lines
    )
    assert "  chips.6.vendr: unknown key; the chip table has no such field (check the spelling)" in lines
    assert "  chips.7.source.checked: Input should be 'vendor' or 'copy'" in lines


def test_repeated_ids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "hardware.toml"
    path.write_text(TABLE_TEXT.replace('id = "h200"', 'id = "h100-sxm"'))
    with pytest.raises(DataFileError, match="repeated: h100-sxm"):
        load_table(path)


peaks = st.floats(1e12, 1e16)
mfus = st.floats(0.01, 1.0)
amounts = st.floats(1e-3, 1e12)


@given(flops=st.floats(1e15, 1e30), peak=peaks, mfu=mfus)
def test_flops_and_gpu_hours_round_trip(flops: float, peak: float, mfu: float) -> None:
    hours = gpu_hours_for(flops, peak, mfu)
    assert flops_for(hours, peak, mfu) == pytest.approx(flops, rel=1e-12)
    # Twice the utilization halves the hours.
    if mfu <= 0.5:
        assert gpu_hours_for(flops, peak, 2 * mfu) == pytest.approx(hours / 2, rel=1e-12)


@given(hours=amounts, gpus=st.integers(1, 100_000))
def test_gpu_hours_and_wall_clock_days_round_trip(hours: float, gpus: int) -> None:
    days = days_for(hours, gpus)
    assert gpu_hours_in(days, gpus) == pytest.approx(hours, rel=1e-12)
    assert days * 24 * gpus == pytest.approx(hours, rel=1e-12)


@given(hours=amounts, price=st.floats(0.01, 100.0))
def test_cost_is_gpu_hours_times_price(hours: float, price: float) -> None:
    assert cost_of(hours, price) / price == pytest.approx(hours, rel=1e-12)


@given(gpus=st.integers(1, 100_000), days=st.floats(0.01, 1000.0), mfu=mfus)
def test_a_budget_from_time_converts_back_to_the_same_time(gpus: int, days: float, mfu: float) -> None:
    setup = hardware("h100", gpus=gpus, mfu=mfu, price_per_gpu_hour=2.5)
    flops = budget(setup, days=days)
    spent = use(flops, setup)
    assert spent.days == pytest.approx(days, rel=1e-12)
    assert spent.gpu_hours == pytest.approx(days * 24 * gpus, rel=1e-12)
    assert spent.cost == pytest.approx(days * 24 * gpus * 2.5, rel=1e-12)
    assert budget(setup, hours=days * 24) == pytest.approx(flops, rel=1e-12)


def test_a_known_case_by_hand() -> None:
    # 512 H100 SXM for 30 days at 40% MFU: 512 * 30 * 86400 s * 989.5e12 * 0.4 FLOPs.
    setup = hardware("h100", gpus=512, mfu=0.4, price_per_gpu_hour=2.5)
    flops = budget(setup, days=30)
    assert flops == pytest.approx(512 * 30 * 86400 * 989.5e12 * 0.4, rel=1e-15)
    spent = use(flops, setup)
    assert spent.gpu_hours == pytest.approx(368_640)
    assert spent.cost == pytest.approx(921_600)
    assert spent.mfu_source == "given"


def test_the_default_mfu_is_palm_and_says_so() -> None:
    spent = use(1e23, hardware("tpu-v4"))
    assert spent.mfu == DEFAULT_MFU == 0.462
    assert "arXiv:2204.02311" in spent.mfu_source
    assert spent.days is None
    assert spent.cost is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mfu": 0}, "mfu must be above 0 and at most 1"),
        ({"mfu": 1.0000001}, "mfu must be above 0 and at most 1"),
        ({"mfu": math.nan}, "mfu must be above 0 and at most 1"),
        ({"gpus": 0}, "gpus must be a whole number of GPUs, 1 or more"),
        ({"gpus": 2.5}, "gpus must be a whole number of GPUs, 1 or more"),
        ({"price_per_gpu_hour": -1}, "price_per_gpu_hour must be a finite number above zero"),
        ({"price_per_gpu_hour": math.inf}, "price_per_gpu_hour must be a finite number above zero"),
    ],
)
def test_bad_hardware_is_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        hardware("h100", **kwargs)


def test_mfu_of_exactly_one_is_allowed() -> None:
    assert hardware("h100", mfu=1).mfu == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": -1}, "days must be a finite number above zero"),
        ({"hours": 0}, "hours must be a finite number above zero"),
        ({}, "give one of days and hours"),
        ({"days": 1, "hours": 24}, "give one of days and hours"),
    ],
)
def test_bad_durations_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        budget(hardware("h100", gpus=8), **kwargs)
    with pytest.raises(InputError, match="needs a GPU count"):
        budget(hardware("h100"), days=1)
