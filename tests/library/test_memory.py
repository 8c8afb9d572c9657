"""Memory per GPU: ZeRO's model states, Korthikanti et al.'s activations, the smallest split."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InfeasibleError, InputError
from planner.hardware import find_chip
from planner.planning.memory import (
    MAX_TENSOR_PARALLEL,
    RECOMPUTE_MODES,
    STATE_BYTES,
    Split,
    activation_bytes_per_layer,
    activations,
    memory_per_gpu,
    model_states,
    smallest_split,
    splits,
    state_bytes,
)

GB = 1e9

# Golden numbers: what the papers print, within their rounding.


def test_zero_mixed_precision_adam_is_16_bytes_a_parameter() -> None:
    """ZeRO Sec. 3.1: 2 Psi + 2 Psi + K Psi with K = 12."""
    per = state_bytes("mixed", "adam")
    assert (per.weights, per.gradients, per.optimizer_states, per.total) == (2, 2, 12, 16)
    assert "1910.02054" in per.source


def test_zero_figure_1_the_7_5b_model_on_64_ranks() -> None:
    """ZeRO Figure 1: Psi = 7.5B, K = 12, N_d = 64 gives 120, 31.4, 16.6 and 1.9 GB per GPU."""
    printed = {0: 120.0, 1: 31.4, 2: 16.6, 3: 1.9}
    for stage, gigabytes in printed.items():
        got = model_states(7.5e9, zero_stage=stage, data_parallel=64).total
        assert got == pytest.approx(gigabytes * GB, abs=0.05 * GB), stage


def test_zero_gpt2_needs_24_gb_of_states_against_3_gb_of_fp16_weights() -> None:
    """ZeRO Sec. 3.1: GPT-2 with 1.5B parameters needs at least 24 GB; its fp16 weights 3 GB."""
    states = model_states(1.5e9)
    assert states.total >= 24 * GB
    assert states.total == pytest.approx(24 * GB)
    assert states.weights == pytest.approx(3 * GB)


def test_the_published_byte_counts_of_the_other_optimizers() -> None:
    """Hugging Face's anatomy page: mixed AdamW 18, fp32 AdamW 16, SGD with momentum 12 / 14."""
    totals = {(row.precision, row.optimizer): row.total for row in STATE_BYTES}
    assert totals == {
        ("mixed", "adam"): 16,
        ("mixed-fp32-grads", "adam"): 18,
        ("mixed-fp32-grads", "sgd-momentum"): 14,
        ("fp32", "adam"): 16,
        ("fp32", "sgd-momentum"): 12,
    }
    assert all(row.source for row in STATE_BYTES)


SEVEN_B = {"seq_len": 4096, "micro_batch": 1, "d_model": 4096, "n_heads": 32}


def test_korthikanti_worked_example_of_the_reference() -> None:
    """Korthikanti et al. 2022, Eq. (1), evaluated (not printed there): s = 4096, b = 1, h = 4096, a = 32, L = 32 (t = 1): 3.25 GB a
    layer, 104 GB without recompute, 18.3 GB with selective recompute."""
    per_layer = activation_bytes_per_layer(**SEVEN_B, recompute="none")
    assert per_layer == pytest.approx(3.25 * GB, abs=0.005 * GB)
    assert activations(n_layers=32, **SEVEN_B, recompute="none").total == pytest.approx(
        104 * GB, abs=0.5 * GB
    )
    assert activations(n_layers=32, **SEVEN_B, recompute="selective").total == pytest.approx(
        18.3 * GB, abs=0.05 * GB
    )


GPT3 = {"seq_len": 2048, "micro_batch": 1, "d_model": 12288, "n_heads": 96}


def test_korthikanti_gpt3_attention_term_and_70_percent_saving() -> None:
    """Korthikanti et al. Sec. 5: 5as/h = 80 for GPT-3 against 34, so selective recompute
    saves 70% of the activations (TP + SP, any t)."""
    sbh = 2048 * 12288
    for t in (1, 8):
        none = activation_bytes_per_layer(**GPT3, tensor_parallel=t, recompute="none")
        selective = activation_bytes_per_layer(**GPT3, tensor_parallel=t, recompute="selective")
        assert none == pytest.approx(sbh / t * (34 + 80))
        assert selective == pytest.approx(34 * sbh / t)
        assert 1 - selective / none == pytest.approx(0.70, abs=0.005)


def test_korthikanti_per_layer_formulas_with_tensor_parallel() -> None:
    """Eq. 1 at t = 1 equals both tensor-parallel forms; full recompute keeps 2 sbh."""
    s, h, a, t = 2048, 12288, 96, 8
    sbh = s * h
    assert activation_bytes_per_layer(
        **GPT3, tensor_parallel=t, sequence_parallel=False, recompute="none"
    ) == (pytest.approx(sbh * (10 + 24 / t + 5 * a * s / (h * t))))
    assert activation_bytes_per_layer(
        **GPT3, tensor_parallel=t, sequence_parallel=False, recompute="selective"
    ) == pytest.approx(sbh * (10 + 24 / t))
    assert activation_bytes_per_layer(
        **GPT3, tensor_parallel=t, sequence_parallel=False, recompute="full"
    ) == pytest.approx(2 * sbh)
    for sequence_parallel in (True, False):
        one = activation_bytes_per_layer(**GPT3, sequence_parallel=sequence_parallel, recompute="none")
        assert one == pytest.approx(sbh * (34 + 5 * a * s / h))


def test_pipeline_first_stage_holds_about_all_layers() -> None:
    """1F1B: p micro-batches of ceil(L / p) layers each on the first stage (Eq. 5 has no p)."""
    even = activations(n_layers=32, **SEVEN_B, pipeline_parallel=4)
    assert (even.layers_per_stage, even.micro_batches_in_flight) == (8, 4)
    assert even.total == pytest.approx(activations(n_layers=32, **SEVEN_B).total)
    uneven = activations(n_layers=30, **SEVEN_B, pipeline_parallel=4)
    assert uneven.layers_per_stage == 8
    assert uneven.total == pytest.approx(32 * uneven.per_layer)


def test_memory_per_gpu_adds_states_of_the_first_stage_and_its_activations() -> None:
    use = memory_per_gpu(7e9, n_layers=32, **SEVEN_B, gpus=64, split=(8, 2, 4), zero_stage=1)
    assert use.model_states.params_per_gpu == pytest.approx(7e9 / 8)
    assert use.model_states.total == pytest.approx(7e9 / 8 * (4 + 12 / 8))
    assert use.activations.total == pytest.approx(32 * 34 * 4096 * 4096 / 2)
    assert use.total == pytest.approx(use.model_states.total + use.activations.total)
    assert memory_per_gpu(7e9, n_layers=32, **SEVEN_B, gpus=64, split=Split(
        data_parallel=8, tensor_parallel=2, pipeline_parallel=4
    )) == memory_per_gpu(7e9, n_layers=32, **SEVEN_B, gpus=64, split=[8, 2, 4])  # fmt: skip


def test_smallest_split_of_a_7b_model_on_one_h100_node() -> None:
    fit = smallest_split(7e9, n_layers=32, **SEVEN_B, gpus=8, gpu="h100", zero_stage=1)
    assert fit.fits
    assert fit.split == Split(data_parallel=8, tensor_parallel=1, pipeline_parallel=1)
    assert fit.gpu == "h100-sxm"
    assert fit.memory_bytes == 80 * GB
    assert fit.headroom == pytest.approx(80 * GB - fit.memory.total)
    assert fit.message.startswith("fits at tp 1, pp 1, dp 8: ")


def test_a_split_that_cannot_fit_says_by_how_much_it_misses() -> None:
    fit = smallest_split(
        1e12, n_layers=128, d_model=25600, n_heads=160, seq_len=2048, micro_batch=1, gpus=64, gpu="h100"
    )
    assert not fit.fits
    assert fit.headroom < 0
    assert fit.split == Split(data_parallel=1, tensor_parallel=8, pipeline_parallel=8)
    need = fit.memory.total / GB
    short = (need - 80) / 80 * 100
    assert fit.message.startswith(
        f"needs {need:.1f} GB per GPU at tp 8, pp 8, dp 1; the NVIDIA H100 SXM has 80 GB: {short:.0f}% short; try "
    )
    assert "\n" not in fit.message
    with pytest.raises(InfeasibleError, match="% short"):
        raise InfeasibleError(fit.message)


def test_memory_in_bytes_instead_of_a_chip_and_a_gib_chip() -> None:
    by_bytes = smallest_split(7e9, n_layers=32, **SEVEN_B, gpus=8, memory_bytes=80e9, zero_stage=1)
    by_chip = smallest_split(7e9, n_layers=32, **SEVEN_B, gpus=8, gpu=find_chip("h100-sxm"), zero_stage=1)
    assert by_bytes.split == by_chip.split
    assert by_bytes.gpu is None
    assert "one GPU has 80 GB" in by_bytes.message
    tpu = smallest_split(7e9, n_layers=32, **SEVEN_B, gpus=8, gpu="tpu-v4")
    assert "GiB" in tpu.message


# Properties.

counts = st.integers(min_value=1, max_value=64)
shapes = st.fixed_dictionaries(
    {
        "seq_len": st.sampled_from([128, 1024, 2048, 4096, 8192]),
        "micro_batch": st.integers(1, 8),
        "n_heads": st.sampled_from([8, 12, 16, 32, 64, 96]),
    }
).map(lambda shape: {**shape, "d_model": shape["n_heads"] * 128})
sizes = st.floats(min_value=1e6, max_value=2e12)
memories = st.floats(min_value=8e9, max_value=200e9)


@given(params=sizes, ranks=counts)
def test_model_states_are_positive_and_fall_with_each_zero_stage(params: float, ranks: int) -> None:
    for row in STATE_BYTES:
        totals = [
            model_states(
                params,
                precision=row.precision,
                optimizer=row.optimizer,
                zero_stage=stage,
                data_parallel=ranks,
            ).total
            for stage in range(4)
        ]
        assert all(total > 0 for total in totals)
        assert totals == sorted(totals, reverse=True)
        assert totals[0] == pytest.approx(row.total * params)
        assert totals[3] == pytest.approx(row.total * params / ranks)


@given(params=sizes, stage=st.integers(0, 3), ranks=counts)
def test_model_states_fall_with_more_data_parallel_ranks(params: float, stage: int, ranks: int) -> None:
    fewer = model_states(params, zero_stage=stage, data_parallel=ranks).total
    more = model_states(params, zero_stage=stage, data_parallel=ranks + 1).total
    assert 0 < more <= fewer


@given(shape=shapes, sequence_parallel=st.booleans())
def test_activations_are_positive_and_fall_with_tensor_parallel_and_recompute(
    shape: dict[str, int], sequence_parallel: bool
) -> None:
    degrees = [t for t in range(1, MAX_TENSOR_PARALLEL + 1) if shape["n_heads"] % t == 0]
    table = [
        [
            activation_bytes_per_layer(
                **shape, tensor_parallel=t, sequence_parallel=sequence_parallel, recompute=mode
            )
            for t in degrees
        ]
        for mode in RECOMPUTE_MODES
    ]
    for row in table:
        assert all(value > 0 for value in row)
        assert row == sorted(row, reverse=True)
    for none, selective, full in zip(*table, strict=True):
        assert none >= selective >= full
    for t in degrees:
        with_sp = activation_bytes_per_layer(
            **shape, tensor_parallel=t, sequence_parallel=True, recompute="none"
        )
        without = activation_bytes_per_layer(
            **shape, tensor_parallel=t, sequence_parallel=False, recompute="none"
        )
        assert with_sp <= without


@given(params=sizes, shape=shapes, layers=st.sampled_from([12, 24, 32, 40, 96]), stage=st.integers(0, 3))
def test_memory_per_gpu_falls_with_tensor_parallel_at_a_fixed_gpu_count(
    params: float, shape: dict[str, int], layers: int, stage: int
) -> None:
    gpus = 64
    totals = [
        memory_per_gpu(
            params, n_layers=layers, **shape, gpus=gpus, split=(gpus // t, t, 1), zero_stage=stage
        ).total
        for t in (1, 2, 4, 8)
        if shape["n_heads"] % t == 0
    ]
    assert all(total > 0 for total in totals)
    assert totals == sorted(totals, reverse=True)


@given(
    params=sizes,
    shape=shapes,
    layers=st.sampled_from([12, 24, 32, 40, 96]),
    gpus=st.sampled_from([1, 2, 6, 8, 16, 24, 64, 128, 512]),
    memory=memories,
    stage=st.integers(0, 3),
    recompute=st.sampled_from(RECOMPUTE_MODES),
)
def test_smallest_split_uses_every_gpu_fits_and_has_no_smaller_rival(
    params: float,
    shape: dict[str, int],
    layers: int,
    gpus: int,
    memory: float,
    stage: int,
    recompute: str,
) -> None:
    options = {"n_layers": layers, **shape, "gpus": gpus, "zero_stage": stage, "recompute": recompute}
    fit = smallest_split(params, **options, memory_bytes=memory)
    split = fit.split
    assert split.data_parallel * split.tensor_parallel * split.pipeline_parallel == gpus
    assert split.tensor_parallel <= MAX_TENSOR_PARALLEL
    assert shape["n_heads"] % split.tensor_parallel == 0
    assert layers % split.pipeline_parallel == 0
    assert fit.memory.total > 0
    needs = {
        other: memory_per_gpu(
            params, **options, split=(other.data_parallel, other.tensor_parallel, other.pipeline_parallel)
        ).total
        for other in splits(gpus, n_heads=shape["n_heads"], n_layers=layers)
    }
    assert fit.memory.total == pytest.approx(needs[split])
    if fit.fits:
        assert fit.memory.total <= memory
        assert fit.headroom >= 0
        earlier = [other for other in needs if other.model_parallel < split.model_parallel]
        assert all(needs[other] > memory for other in earlier)
    else:
        assert all(need > memory for need in needs.values())
        assert fit.memory.total == min(needs.values())
        assert "% short" in fit.message


def test_splits_are_tried_smallest_model_parallel_first_then_smaller_pipeline() -> None:
    order = [(s.tensor_parallel, s.pipeline_parallel) for s in splits(16, n_heads=32, n_layers=32)]
    assert order == [(1, 1), (2, 1), (1, 2), (4, 1), (2, 2), (1, 4), (8, 1), (4, 2), (2, 4), (1, 8), (8, 2), (4, 4), (2, 8), (1, 16)]  # fmt: skip


# Bad input: one line that says what to give.

GOOD = {"n_layers": 32, **SEVEN_B, "gpus": 8}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seq_len": 0}, "seq_len must be a whole number of tokens per sequence, 1 or more (got 0)"),
        ({"seq_len": 4096.5}, "seq_len must be a whole number"),
        ({"seq_len": "4096"}, "seq_len must be a whole number"),
        ({"micro_batch": -1}, "micro_batch must be a whole number of sequences per micro batch"),
        ({"micro_batch": True}, "micro_batch must be a whole number"),
        ({"n_layers": 0}, "n_layers must be a whole number of layers, 1 or more"),
        ({"n_heads": 0}, "n_heads must be a whole number of attention heads"),
        ({"n_heads": 2.5}, "n_heads must be a whole number"),
        ({"d_model": float("nan")}, "d_model must be a whole number"),
        ({"gpus": 0}, "gpus must be a whole number of GPUs, 1 or more (got 0)"),
        ({"gpus": 7.5}, "gpus must be a whole number of GPUs"),
        ({"n_heads": 31}, "n_heads (31) must divide d_model (4096); give a divisor of 4096, e.g. 32"),
        ({"precision": "bf16"}, "no precision named 'bf16'; choose one of: mixed, mixed-fp32-grads, fp32"),
        ({"optimizer": "lion"}, "no optimizer named 'lion'; choose one of: adam, sgd-momentum"),
        (
            {"optimizer": "sgd-momentum"},
            "no source we cite counts the bytes of sgd-momentum with mixed precision",
        ),
        ({"zero_stage": 4}, "zero_stage must be 0, 1, 2 or 3 (got 4)"),
        ({"recompute": "some"}, "no recompute mode named 'some'; choose one of: none, selective, full"),
        (
            {"split": (4, 4, 4)},
            "data 4 x tensor 4 x pipeline 4 is 64 GPUs, not 8; give degrees whose product",
        ),
        ({"split": (1, 3, 1)}, "tensor parallel 3 must divide the 32 attention heads"),
        ({"split": (1, 1, 64), "gpus": 64}, "pipeline parallel 64 has more stages than the 32 layers"),
        ({"split": (8, 1)}, "give the split as three degrees (data, tensor, pipeline)"),
        ({"split": "8,1,1"}, "give the split as three degrees (data, tensor, pipeline)"),
        ({"params": 0}, "params must be a finite number above zero (got 0)"),
    ],
)
def test_bad_input_is_refused_in_one_line(changes: dict[str, object], message: str) -> None:
    arguments = {"params": 7e9, **GOOD, **changes}
    with pytest.raises(InputError) as caught:
        memory_per_gpu(**arguments)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "give one of gpu (a chip id, e.g. h100) and memory_bytes"),
        ({"gpu": "h100", "memory_bytes": 80e9}, "give one of gpu"),
        ({"gpu": "h1000"}, "no GPU named 'h1000'"),
        ({"memory_bytes": -1.0}, "memory_bytes must be a finite number above zero"),
        ({"memory_bytes": 80e9, "gpus": 0}, "gpus must be a whole number of GPUs"),
        ({"memory_bytes": 80e9, "n_heads": 31}, "n_heads (31) must divide d_model (4096)"),
        ({"memory_bytes": 80e9, "precision": "fp8"}, "no precision named 'fp8'"),
    ],
)
def test_bad_input_to_smallest_split(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        smallest_split(7e9, **{**GOOD, **changes})


def test_bad_input_to_the_parts() -> None:
    with pytest.raises(InputError, match="tensor parallel 5 must divide the 32 attention heads"):
        activation_bytes_per_layer(**SEVEN_B, tensor_parallel=5)
    with pytest.raises(InputError, match="data_parallel must be a whole number"):
        model_states(7e9, data_parallel=0)
    with pytest.raises(InputError, match="pipeline_parallel must be a whole number of stages"):
        activations(n_layers=32, **SEVEN_B, pipeline_parallel=0)
    with pytest.raises(InfeasibleError, match="a model has at least one parameter"):
        model_states(0.5)


def test_numbers_beyond_floating_point_are_refused() -> None:
    with pytest.raises(InfeasibleError, match="beyond what floating point can compute"):
        model_states(1e308)
    with pytest.raises(InfeasibleError, match="beyond what floating point can compute"):
        memory_per_gpu(1e308, **GOOD)
