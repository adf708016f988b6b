"""A task that keeps writing its log for a while, so a test can follow a try that is running
(see tests/e2e/client.rs): `tick` prints `e2e: tick 1` .. `e2e: tick 40`, one every half
second.
"""

from __future__ import annotations

import time
from datetime import datetime

from airflow.sdk import dag, task

TICKS = 40


@dag(
    dag_id="e2e_slow_log",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["e2e"],
    default_args={"retries": 0},
)
def e2e_slow_log():
    @task
    def tick():
        for i in range(1, TICKS + 1):
            print(f"e2e: tick {i}", flush=True)
            time.sleep(0.5)

    tick()


e2e_slow_log()
