"""Accelerator chips and the conversions FLOPs <-> GPU-hours <-> wall-clock days <-> cost.

Owns the chip table (`planner/hardware.toml`, with the source of every figure), the MFU
default and the arithmetic that turns a FLOP budget into time and money and back. The
table is read only when a hardware option is used, and built without pydantic (the tests
validate it strictly). "GPU" here means any accelerator chip in the table, TPUs included.
Checks its inputs and raises `InputError`; never prints. Standard library only.
"""

from __future__ import annotations

import math
import os

from planner.errors import DataFileError, InputError
from planner.laws.format import STRICT, Bound, Positive
from planner.memo import cache
from planner.planning.results import HardwareUse
from planner.records import Record
from planner.version import FORMAT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Annotated, Any, ClassVar, Literal

SECONDS_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0

DEFAULT_MFU = 0.462
"""Model FLOPs utilization assumed when none is given: PaLM 540B trained at 46.2% MFU on
6144 TPU v4 chips (Chowdhery et al. 2022, "PaLM: Scaling Language Modeling with Pathways",
arXiv 2204.02311, Sec. 4.1, Table 3). It is a well-tuned run at large scale, so it is an
optimistic default; PaLM's MFU also counts attention FLOPs, which C = 6ND leaves out."""

DEFAULT_MFU_SOURCE = "PaLM 540B's MFU (Chowdhery et al. 2022, arXiv:2204.02311, Table 3)"

LLAMA3_MFU = (0.38, 0.43)
"""The BF16 MFU of Llama 3 405B's pre-training: 43% on 8,192 H100s, 41% on 16,384 and 38% on
16,384 with 131K-token sequences (Llama Team, Dubey et al. 2024, "The Llama 3 Herd of
Models", arXiv 2407.21783, Sec. 3.3.2, Table 4): a cited alternative to the PaLM default at
the scale of today's largest runs."""

LLAMA3_MFU_SOURCE = (
    "Llama 3 405B on 8K-16K H100s, 38-43% BF16 MFU (Dubey et al. 2024, arXiv:2407.21783, Table 4)"
)

UNIT_BYTES = {"GB": 1e9, "GiB": float(2**30)}


class ChipSource(Record):
    """Where a chip's figures come from, and how we read them (see hardware.toml)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    document: Annotated[str, Bound(min_length=3)]
    url: Annotated[str, Bound(pattern=r"^https://")]
    quote: Annotated[str, Bound(min_length=3)]
    sparse: bool
    checked: Literal["vendor", "copy"]
    seen_at: str | None = None

    def __post_init__(self) -> None:
        if self.checked == "copy" and not self.seen_at:
            raise ValueError("checked = 'copy' needs seen_at: where the figures were read")


class Chip(Record):
    """One accelerator: dense peak FLOP/s per chip and memory per chip, with their source."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    id: Annotated[str, Bound(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: str
    vendor: str
    bf16_tflops: Positive
    memory: Positive
    memory_unit: Literal["GB", "GiB"]
    source: ChipSource
    fp8_tflops: Positive | None = None
    aliases: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()

    @property
    def peak_flops_per_second(self) -> float:
        """Dense bf16 peak of one chip, in FLOP/s."""
        return self.bf16_tflops * 1e12

    @property
    def memory_bytes(self) -> float:
        """Memory of one chip in bytes."""
        return self.memory * UNIT_BYTES[self.memory_unit]


class HardwareTable(Record):
    """The whole file: a format version and the chips."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    schema_version: Literal[1]
    chips: tuple[Chip, ...]

    def __post_init__(self) -> None:
        names = [name for chip in self.chips for name in (chip.id, *chip.aliases)]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"ids and aliases must be unique; repeated: {', '.join(repeated)}")


def table_path() -> Path:
    """The shipped chip table."""
    from pathlib import Path

    return Path(_table_file())


def _table_file() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "hardware.toml")


def read_table_file(path: Path) -> dict[str, Any]:
    """Parsed TOML of a chip table."""
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))


def load_table(path: Path) -> HardwareTable:
    """Read and fully validate a chip table, or raise DataFileError naming every problem."""
    from pydantic import TypeAdapter, ValidationError

    from planner.validation import problems

    kind = "chip table"
    try:
        raw = read_table_file(path)
    except OSError as err:
        raise DataFileError(path, [f"cannot read the file: {err.strerror or err}"], kind) from None
    except (UnicodeDecodeError, ValueError) as err:  # tomllib.TOMLDecodeError is a ValueError
        raise DataFileError(path, [f"not valid TOML: {err}"], kind) from None
    try:
        return TypeAdapter(HardwareTable).validate_python(raw)
    except ValidationError as err:
        raise DataFileError(path, problems(err, kind), kind) from None


def render_index(path: Path) -> str:
    """The index of the chip table at `path` (planner.laws.index.built), validated in full."""
    from planner.laws.index import crc, encode
    from planner.laws.write import index_line

    return index_line({"crc32": crc(path.read_bytes()), "data": encode(load_table(path))}) + "\n"


@cache
def table() -> HardwareTable:
    """The shipped chip table: from its index while the file is unchanged, else built from
    its TOML without validation (the tests validate it, and keep the index current)."""
    from planner.laws.index import built as indexed

    with open(_table_file(), "rb") as file:
        data = file.read()
    built = indexed(_table_file(), data)
    if built is None:
        from planner.laws.catalog import build

        built = build(HardwareTable, read_table_file(table_path()))
    assert isinstance(built, HardwareTable)
    return built


def chips() -> tuple[Chip, ...]:
    """Every chip in the table, in file order."""
    return table().chips


def find_chip(name: str) -> Chip:
    """A chip by id or alias, case-insensitively; InputError naming the valid ones otherwise."""
    wanted = name.strip().lower()
    for chip in chips():
        if wanted == chip.id or wanted in chip.aliases:
            return chip
    ids = ", ".join(chip.id for chip in chips())
    aliases = ", ".join(f"{alias} = {chip.id}" for chip in chips() for alias in chip.aliases)
    raise InputError(f"no GPU named {name!r}; choose one of: {ids} (aliases: {aliases}); see plan gpus")


def check_mfu(name: str, value: float) -> float:
    """MFU as a float in (0, 1], or InputError."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not (math.isfinite(number) and 0 < number <= 1):
        raise InputError(
            f"{name} must be above 0 and at most 1 (got {value!r}); it is the fraction of "
            "peak FLOP/s the run achieves, e.g. 0.4"
        )
    return number


def check_gpus(name: str, value: float) -> int:
    """A whole number of chips above zero, or InputError."""
    try:
        number = float(value)
    except OverflowError:  # an int beyond floating point: no count of chips
        number = math.inf
    if not (math.isfinite(number) and number >= 1 and number.is_integer()):
        raise InputError(f"{name} must be a whole number of GPUs, 1 or more (got {value!r})")
    return int(number)


def check_amount(name: str, value: float) -> float:
    """A finite amount above zero (hours, days, a price), or InputError."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not (math.isfinite(number) and number > 0):
        raise InputError(f"{name} must be a finite number above zero (got {value!r})")
    return number


# The conversions. One chip sustains peak * mfu FLOP/s, so
#   GPU-hours = FLOPs / (peak * mfu * 3600),  days on N GPUs = GPU-hours / (24 N),
#   cost = GPU-hours * price per GPU-hour, and each one inverts the other.


def gpu_hours_for(flops: float, peak_flops_per_second: float, mfu: float) -> float:
    """GPU-hours that deliver `flops` at `mfu` of the peak."""
    return flops / (peak_flops_per_second * mfu * SECONDS_PER_HOUR)


def flops_for(gpu_hours: float, peak_flops_per_second: float, mfu: float) -> float:
    """FLOPs that `gpu_hours` deliver at `mfu` of the peak."""
    return gpu_hours * peak_flops_per_second * mfu * SECONDS_PER_HOUR


def days_for(gpu_hours: float, gpus: int) -> float:
    """Wall-clock days that `gpu_hours` take on `gpus` GPUs working at once."""
    return gpu_hours / (gpus * HOURS_PER_DAY)


def gpu_hours_in(days: float, gpus: int) -> float:
    """GPU-hours that `gpus` GPUs spend in `days` of wall-clock time."""
    return days * gpus * HOURS_PER_DAY


def cost_of(gpu_hours: float, price_per_gpu_hour: float) -> float:
    """What `gpu_hours` cost at a price per GPU-hour."""
    return gpu_hours * price_per_gpu_hour


class Hardware(Record):
    """The hardware a run uses: which chip, how well it is used, how many, at what price."""

    chip: Chip
    mfu: float = DEFAULT_MFU
    mfu_given: bool = False
    gpus: int | None = None
    price_per_gpu_hour: float | None = None

    def __repr__(self) -> str:
        count = f"{self.gpus:,} x " if self.gpus is not None else ""
        mfu = f"MFU {self.mfu:g}" + ("" if self.mfu_given else " (assumed)")
        price = f", ${self.price_per_gpu_hour:g} per GPU-hour" if self.price_per_gpu_hour is not None else ""
        return f"<Hardware {count}{self.chip.id}, {mfu}{price}>"


def hardware(
    gpu: str | Chip,
    *,
    mfu: float | None = None,
    gpus: float | None = None,
    price_per_gpu_hour: float | None = None,
) -> Hardware:
    """Checked hardware: a chip id (or Chip), MFU in (0, 1], a GPU count and a price.

    Raises:
        InputError: an unknown chip, MFU outside (0, 1], a GPU count that is not a whole
            number above zero, or a price that is not a finite number above zero.
    """
    return Hardware(
        chip=gpu if isinstance(gpu, Chip) else find_chip(gpu),
        mfu=DEFAULT_MFU if mfu is None else check_mfu("mfu", mfu),
        mfu_given=mfu is not None,
        gpus=None if gpus is None else check_gpus("gpus", gpus),
        price_per_gpu_hour=None
        if price_per_gpu_hour is None
        else check_amount("price_per_gpu_hour", price_per_gpu_hour),
    )


def wall_clock(
    setup: Hardware, *, days: float | None = None, hours: float | None = None
) -> tuple[float, float]:
    """(GPU-hours, days) of `setup.gpus` GPUs running for `days` or `hours` of wall-clock time."""
    if setup.gpus is None:
        raise InputError("a budget from time needs a GPU count; give gpus")
    if days is not None and hours is None:
        wall_days = check_amount("days", days)
        return gpu_hours_in(wall_days, setup.gpus), wall_days
    if hours is not None and days is None:
        wall_hours = check_amount("hours", hours)
        return wall_hours * setup.gpus, wall_hours / HOURS_PER_DAY
    raise InputError("give one of days and hours")


def budget(setup: Hardware, *, days: float | None = None, hours: float | None = None) -> float:
    """The FLOP budget of `setup.gpus` GPUs running for `days` (or `hours`) of wall-clock time."""
    spent, _ = wall_clock(setup, days=days, hours=hours)
    flops = flops_for(spent, setup.chip.peak_flops_per_second, setup.mfu)
    if not math.isfinite(flops):
        raise InputError(
            f"{setup.gpus:.3g} GPUs for that long compute more FLOPs than floating point can count; "
            "give fewer GPUs or less time"
        )
    return flops


def use(
    flops: float, setup: Hardware, *, days: float | None = None, hours: float | None = None
) -> HardwareUse:
    """GPU-hours, wall-clock days (with a GPU count) and cost (with a price) of `flops`.

    Given the `days` or `hours` the budget came from, GPU-hours and days are those exactly,
    not recomputed through FLOPs (which could differ in the last digit).
    """
    if days is None and hours is None:
        spent = gpu_hours_for(flops, setup.chip.peak_flops_per_second, setup.mfu)
        wall_days = days_for(spent, setup.gpus) if setup.gpus is not None else None
    else:
        spent, wall_days = wall_clock(setup, days=days, hours=hours)
    price = setup.price_per_gpu_hour
    return HardwareUse(
        gpu=setup.chip.id,
        gpu_name=setup.chip.name,
        precision="bf16",
        peak_flops_per_second=setup.chip.peak_flops_per_second,
        mfu=setup.mfu,
        mfu_source="given" if setup.mfu_given else DEFAULT_MFU_SOURCE,
        gpu_hours=spent,
        gpus=setup.gpus,
        days=wall_days,
        price_per_gpu_hour=price,
        cost=cost_of(spent, price) if price is not None else None,
    )


class GpuRecord(Record, kw_only=True):
    """One chip as `plan gpus --json` prints it: base units, with the source."""

    format: str
    planner_version: str
    id: str
    name: str
    vendor: str
    aliases: tuple[str, ...]
    peak_bf16_flops_per_second: float
    peak_fp8_flops_per_second: float | None
    memory_bytes: float
    memory: float
    memory_unit: str
    source: ChipSource
    caveats: tuple[str, ...]


def record(chip: Chip) -> GpuRecord:
    """A chip as plain output data."""
    from planner.version import __version__

    return GpuRecord(
        format=FORMAT,
        planner_version=__version__,
        id=chip.id,
        name=chip.name,
        vendor=chip.vendor,
        aliases=chip.aliases,
        peak_bf16_flops_per_second=chip.peak_flops_per_second,
        peak_fp8_flops_per_second=chip.fp8_tflops * 1e12 if chip.fp8_tflops is not None else None,
        memory_bytes=chip.memory_bytes,
        memory=chip.memory,
        memory_unit=chip.memory_unit,
        source=chip.source,
        caveats=chip.caveats,
    )
