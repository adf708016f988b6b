"""Asks a live Airflow what its Task Instance endpoints answer, for tests/e2e/FACTS.md.

Start a server with `cargo xtask e2e --serve --airflow VERSION`, then

    python3 tests/e2e/probe.py --url "$AIRFLOW_E2E_URL" --out target/e2e/VERSION/probe.json
    python3 tests/e2e/probe.py --compare target/e2e/3.3.2/probe.json target/e2e/3.1.8/probe.json

The first form triggers a run of `e2e_task_instances` (and of `e2e_hitl`, where it exists), waits
for it, sends one request per operation of the "Task Instance" tag plus a few questions of
detail, and writes what came back. Requests that change state touch only the probe's own runs or
name a task that does not exist. The second form prints what differs between two servers'
answers. Only the standard library is used, so any Python 3 runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

TI_DAG = "e2e_task_instances"
HITL_DAG = "e2e_hitl"


class Server:
    def __init__(self, url: str, user: str, password: str):
        self.url = url.rstrip("/")
        status, body = self.send("POST", "/auth/token", {"username": user, "password": password})
        if status not in (200, 201):
            sys.exit(f"logging in: {status} {body}")
        self.token = body["access_token"]

    def send(self, method: str, path: str, body=None, token=True):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token and getattr(self, "token", None):
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        # The body as sent, key order and all, for facts quoted verbatim.
        self.last_text = raw.decode(errors="replace")
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def get(self, path: str):
        status, body = self.send("GET", path)
        if status != 200:
            sys.exit(f"GET {path}: {status} {body}")
        return body


def q(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


def wait(what: str, check, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(1)


def trigger(server: Server, dag: str, run: str):
    server.send("PATCH", f"/api/v2/dags/{dag}", {"is_paused": False})
    status, body = server.send(
        "POST", f"/api/v2/dags/{dag}/dagRuns", {"dag_run_id": run, "logical_date": None}
    )
    if status != 200:
        sys.exit(f"triggering {dag}/{run}: {status} {body}")


def ti_state(server: Server, dag: str, run: str, task: str):
    status, body = server.send("GET", f"/api/v2/dags/{dag}/dagRuns/{q(run)}/taskInstances/{task}")
    return body.get("state") if status == 200 else None


def operations(run: str, hitl_run: str | None):
    """(operation, method, path, body) for each of the 27 operations of the tag."""
    ti = f"/api/v2/dags/{TI_DAG}/dagRuns/{q(run)}/taskInstances"
    hitl = f"/api/v2/dags/{HITL_DAG}/dagRuns/{q(hitl_run)}" if hitl_run else None
    # Without a HITL run, the HITL endpoints are asked about a plain task: a route that exists
    # answers with its own 404, a missing one with FastAPI's generic "Not Found".
    hitl_ti = f"{hitl}/taskInstances/approve/-1" if hitl else f"{ti}/start/-1"
    hitl_runs = hitl or f"/api/v2/dags/{TI_DAG}/dagRuns/{q(run)}"
    failed = {"new_state": "failed"}
    note = {"note": "probe"}
    return [
        ("get_extra_links", "GET", f"{ti}/trigger/links", None),
        ("get_task_instance", "GET", f"{ti}/start", None),
        ("delete_task_instance", "DELETE", f"{ti}/no_such_task", None),
        ("patch_task_instance", "PATCH", f"{ti}/start?update_mask=note", note),
        ("get_mapped_task_instances", "GET", f"{ti}/square/listMapped", None),
        ("get_task_instance_dependencies_by_map_index", "GET", f"{ti}/square/0/dependencies", None),
        ("get_task_instance_dependencies", "GET", f"{ti}/start/dependencies", None),
        ("get_task_instance_tries", "GET", f"{ti}/flaky/tries", None),
        ("get_mapped_task_instance_tries", "GET", f"{ti}/square/0/tries", None),
        ("get_mapped_task_instance", "GET", f"{ti}/square/0", None),
        ("patch_task_instance_by_map_index", "PATCH", f"{ti}/square/0?update_mask=note", note),
        ("get_task_instances", "GET", ti, None),
        (
            "bulk_task_instances",
            "PATCH",
            ti,
            {
                "actions": [
                    {
                        "action": "update",
                        "entities": [{"task_id": "no_such_task", "new_state": "success"}],
                        "action_on_non_existence": "skip",
                    }
                ]
            },
        ),
        (
            "get_task_instances_batch",
            "POST",
            "/api/v2/dags/~/dagRuns/~/taskInstances/list",
            {"dag_ids": [TI_DAG], "dag_run_ids": [run]},
        ),
        ("get_task_instance_try_details", "GET", f"{ti}/flaky/tries/1", None),
        ("get_mapped_task_instance_try_details", "GET", f"{ti}/square/0/tries/1", None),
        (
            "post_clear_task_instances",
            "POST",
            f"/api/v2/dags/{TI_DAG}/clearTaskInstances",
            {"dry_run": True, "dag_run_id": run, "only_failed": False},
        ),
        (
            "patch_task_group_instances",
            "PATCH",
            f"/api/v2/dags/{TI_DAG}/dagRuns/{q(run)}/taskGroupInstances/group?update_mask=note",
            note,
        ),
        (
            "patch_task_group_instances_dry_run",
            "PATCH",
            f"/api/v2/dags/{TI_DAG}/dagRuns/{q(run)}/taskGroupInstances/group/dry_run",
            failed,
        ),
        ("patch_task_instance_dry_run_by_map_index", "PATCH", f"{ti}/square/0/dry_run", failed),
        ("patch_task_instance_dry_run", "PATCH", f"{ti}/start/dry_run", failed),
        ("get_log", "GET", f"{ti}/flaky/logs/1", None),
        ("get_external_log_url", "GET", f"{ti}/flaky/externalLogUrl/1", None),
        ("get_hitl_detail", "GET", f"{hitl_ti}/hitlDetails", None),
        (
            "update_hitl_detail",
            "PATCH",
            f"{ti}/start/-1/hitlDetails",
            {"chosen_options": ["Approve"], "params_input": {}},
        ),
        ("get_hitl_detail_try_detail", "GET", f"{hitl_ti}/hitlDetails/tries/1", None),
        ("get_hitl_details", "GET", f"{hitl_runs}/hitlDetails", None),
    ]


def shape(value):
    """The keys of a JSON value, as nested dicts; a list stands for its first element."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def paths(value, prefix: str = "") -> set[str]:
    """Every key path of a shape (`task_instances[].trigger.queue`)."""
    if isinstance(value, dict):
        out = set()
        for k, v in value.items():
            out |= {f"{prefix}.{k}" if prefix else k} | paths(v, f"{prefix}.{k}" if prefix else k)
        return out
    if isinstance(value, list) and value:
        return paths(value[0], f"{prefix}[]")
    return set()


def short(body, limit: int = 300) -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    return text if len(text) <= limit else text[:limit] + "..."


def probe(server: Server) -> dict:
    report: dict = {"version": server.get("/api/v2/version")}
    wait("the Dags", lambda: server.send("GET", f"/api/v2/dags/{TI_DAG}")[0] == 200, 120)
    report["import_errors"] = server.get("/api/v2/importErrors")["total_entries"]
    has_hitl = server.send("GET", f"/api/v2/dags/{HITL_DAG}")[0] == 200
    report["hitl_dag"] = has_hitl
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    run = f"probe__{stamp}"
    hitl_run = f"probe_hitl__{stamp}" if has_hitl else None
    trigger(server, TI_DAG, run)
    if hitl_run:
        trigger(server, HITL_DAG, hitl_run)
    run_path = f"/api/v2/dags/{TI_DAG}/dagRuns/{q(run)}"
    # 3.0 answers the trigger before the run is committed: at first the run can be missing.
    wait(
        f"{run} to finish",
        lambda: server.send("GET", run_path)[1].get("state") in ("success", "failed"),
    )
    report["run_state"] = server.get(run_path)["state"]
    if hitl_run:
        wait(
            "the HITL task to ask",
            lambda: ti_state(server, HITL_DAG, hitl_run, "approve") in ("deferred", "awaiting_input"),
        )
        report["hitl_approve_state"] = ti_state(server, HITL_DAG, hitl_run, "approve")

    report["operations"] = {}
    for name, method, path, body in operations(run, hitl_run):
        status, answer = server.send(method, path, body)
        report["operations"][name] = {
            "method": method,
            "path": path,
            "status": status,
            "body": short(answer),
            "shape": shape(answer),
        }

    ti = f"{run_path}/taskInstances"
    task_instance = server.get(f"{ti}/start")
    report["task_instance_keys"] = sorted(task_instance)
    report["task_instance"] = task_instance
    if hitl_run:
        hitl_ti = server.get(f"/api/v2/dags/{HITL_DAG}/dagRuns/{q(hitl_run)}/taskInstances/approve")
        report["hitl_task_instance"] = hitl_ti
        status, wait_ti = server.send(
            "GET", f"/api/v2/dags/{HITL_DAG}/dagRuns/{q(hitl_run)}/taskInstances/wait_forever"
        )
        report["deferred_task_instance"] = wait_ti
        hitl_ti_path = f"/api/v2/dags/{HITL_DAG}/dagRuns/{q(hitl_run)}/taskInstances/approve/-1"
        report["hitl_detail"] = server.get(f"{hitl_ti_path}/hitlDetails")
        status, answer = server.send(
            "PATCH", f"{hitl_ti_path}/hitlDetails", {"chosen_options": ["Approve"], "params_input": {}}
        )
        report["hitl_update"] = {"status": status, "body": answer}
    plain = server.get(f"{ti}?limit=2")
    report["list_keys"] = sorted(plain)
    report["list_limit_2"] = {k: v for k, v in plain.items() if k != "task_instances"}
    status, paged = server.send("GET", f"{ti}?limit=2&cursor=")
    report["list_cursor_empty"] = {
        "status": status,
        "keys": sorted(paged) if isinstance(paged, dict) else None,
        "fields": {k: v for k, v in paged.items() if k != "task_instances"}
        if isinstance(paged, dict)
        else short(paged),
        "count": len(paged.get("task_instances", [])) if isinstance(paged, dict) else None,
    }
    status, bogus = server.send("GET", f"{ti}?limit=2&cursor=bogus")
    report["list_cursor_bogus"] = {"status": status, "body": short(bogus)}

    # A field the server does not know, at three depths of the bulk body and in a PATCH body.
    entity = {"task_id": "start", "new_state": "success"}
    extra = {
        "bulk_action_update_mask": {
            "actions": [{"action": "update", "entities": [entity], "update_mask": ["note"]}]
        },
        "bulk_entity_unknown": {
            "actions": [{"action": "update", "entities": [dict(entity, bogus_field=1)]}]
        },
        "bulk_top_unknown": {"actions": [], "bogus_field": 1},
    }
    report["unknown_fields"] = {}
    for name, body in extra.items():
        status, _ = server.send("PATCH", ti, body)
        report["unknown_fields"][name] = {"status": status, "text": server.last_text}
    status, _ = server.send("PATCH", f"{ti}/start/dry_run", {"new_state": "failed", "bogus_field": 1})
    report["unknown_fields"]["patch_dry_run_unknown"] = {"status": status, "text": server.last_text}
    status, answer = server.send("GET", f"{ti}/no_such_task")
    report["not_found"] = {"status": status, "body": answer}
    status, answer = server.send("GET", ti, token=False)
    report["no_token"] = {"status": status, "body": answer}
    return report


def compare(old_path: str, new_path: str):
    old, new = (json.load(open(p)) for p in (old_path, new_path))
    print(f"{new['version']['version']} against {old['version']['version']}:")
    for name, answer in new["operations"].items():
        before = old["operations"][name]
        if answer["status"] != before["status"]:
            print(f"  {name}: {before['status']} -> {answer['status']} {answer['body'][:160]}")
        elif answer["status"] == 200:
            a, b = paths(before["shape"]), paths(answer["shape"])
            if a != b:
                print(f"  {name}: missing {sorted(a - b)}, extra {sorted(b - a)}")
    for key in ["task_instance", "deferred_task_instance", "hitl_detail", "list_cursor_empty"]:
        if key in old and key in new:
            a, b = paths(shape(old[key])), paths(shape(new[key]))
            if a != b:
                print(f"  {key}: missing {sorted(a - b)}, extra {sorted(b - a)}")
    print(f"  list keys: {new['list_keys']} (was {old['list_keys']})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    if not args.url:
        parser.error("--url is required (or --compare OLD NEW)")
    report = probe(Server(args.url, args.user, args.password))
    text = json.dumps(report, indent=1, sort_keys=True)
    if args.out:
        with open(args.out, "w") as out:
            out.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
