"""Two hundred and fifty mapped task instances that are created but never run.

`expand` over a literal list makes the scheduler create every map index at once; the pool
`e2e_zero_slots` (created by `cargo xtask e2e` with 0 slots) keeps them all `scheduled`.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

POOL = "e2e_zero_slots"
WIDTH = 250


@dag(
    dag_id="e2e_zero_pool",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["e2e"],
    max_active_tasks=WIDTH,
)
def e2e_zero_pool():
    @task(pool=POOL, max_active_tis_per_dag=WIDTH)
    def starved(i: int):
        print(f"e2e: starved {i} must never run")

    starved.expand(i=list(range(WIDTH)))


e2e_zero_pool()
