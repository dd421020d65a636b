"""The benchmark's PyTorch column: the same steps as src/bench/cases.ts, on the CPU, one thread.

Reads the cases and the budget as JSON on stdin, prints one JSON object on stdout.
Each step: forward, backward, clip_grad_value_(1.0), per-parameter gradient norms
(as the lab streams them), optimizer step. Data are random tensors of the right
shapes: the time of a step does not depend on the values.

It also reports what BLAS torch runs on (scripts/torchBlas.ts judges it): torch's
build config, the BLAS-like libraries this process has mapped, and a 512x512
float32 matmul's GFLOP/s. With {"probe": true} on stdin it reports only that.
"""
import json
import os
import statistics
import sys
import time

# One thread everywhere: torch.set_num_threads(1) does not reach OpenBLAS's own thread pool,
# which would otherwise use every core for each matmul. Set before torch loads the BLAS.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)


class Recurrent(nn.Module):
    def __init__(self, cell, hidden, layers):
        super().__init__()
        kind = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = kind(28, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, 10)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


def make(config):
    batch = config["batch"]
    if config["model"] == "dense":
        model = nn.Sequential(nn.Linear(20, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 1))
        x, y, loss_fn = torch.randn(batch, 20), torch.randn(batch, 1), nn.MSELoss()
    else:
        model = Recurrent(config["model"], config["hidden"], config["layers"])
        x, y, loss_fn = torch.randn(batch, 28, 28), torch.randint(0, 10, (batch,)), nn.CrossEntropyLoss()
    if config["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=config["lr"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=config["lr"], momentum=config["momentum"])
    return model, x, y, loss_fn, opt


def step(model, x, y, loss_fn, opt):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    torch.nn.utils.clip_grad_value_(model.parameters(), 1.0)
    norms = [p.grad.norm() for p in model.parameters()]
    opt.step()
    return loss.item(), [n.item() for n in norms]


def measure(config, budget):
    parts = make(config)
    warming = time.perf_counter()
    warmed = 0
    while warmed < budget["warmupSteps"] or (time.perf_counter() - warming) * 1000 < budget.get("warmupMs", 0):
        step(*parts)
        warmed += 1
    samples = []
    started = time.perf_counter()
    while len(samples) < budget["maxSteps"] and (len(samples) < budget["minSteps"] or (time.perf_counter() - started) * 1000 < budget["maxMs"]):
        t0 = time.perf_counter()
        step(*parts)
        samples.append((time.perf_counter() - t0) * 1000)
    q = statistics.quantiles(samples, n=4) if len(samples) > 1 else [samples[0]] * 3
    return {"medianMs": statistics.median(samples), "p25Ms": q[0], "p75Ms": q[2], "steps": len(samples)}


BLAS_LIKE = ("blas", "mkl", "blis", "atlas", "lapack", "accelerate", "veclib")


def mapped_blas():
    """The BLAS-like shared libraries this process has mapped (Linux), after a matmul has run."""
    try:
        with open("/proc/self/maps", encoding="utf8") as maps:
            paths = [line.split()[-1] for line in maps if len(line.split()) >= 6]
    except OSError:
        return []
    seen = []
    for path in paths:
        name = path.rsplit("/", 1)[-1].lower()
        if path.startswith("/") and any(k in name or k in path.lower() for k in BLAS_LIKE) and path not in seen:
            seen.append(path)
    return seen


def matmul_gflops(n=512, min_seconds=0.5):
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        torch.mm(a, b)
    reps, started = 0, time.perf_counter()
    while reps < 3 or time.perf_counter() - started < min_seconds:
        torch.mm(a, b)
        reps += 1
    return 2 * n**3 * reps / (time.perf_counter() - started) / 1e9


def blas_probe():
    gflops = matmul_gflops()
    return {"config": torch.__config__.show(), "mapped": mapped_blas(), "gflops": gflops}


def main():
    request = json.load(sys.stdin)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_probe()}
    if not request.get("probe"):
        out["results"] = {c["id"]: measure(c["config"], request["budget"]) for c in request["cases"]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
