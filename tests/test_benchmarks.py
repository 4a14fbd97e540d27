"""The benchmarks read what the pipeline reports; a change of the pipeline must not break `make bench`."""


def test_the_latency_benchmark_reads_the_stage_timings_the_pipeline_reports(settings, monkeypatch):
    from benchmarks import latency

    # latency.py imports its neighbour as the top-level module `common`, not `benchmarks.common`
    monkeypatch.setattr(latency.common, "settings", lambda: settings)
    stages = latency.warm(["Who led the review?", "how much money is going to kinship carers"])
    assert stages["total"]["n"] == 2 and 0 < stages["embed"]["p50"] <= stages["total"]["p50"]
