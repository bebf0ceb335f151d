"""pos batch from the command line: JSON Lines in, one result per line out, exit status for scripts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pos.cli import app
from schemas import check_json_output


def test_batch_json_output_is_one_object_per_line_then_a_summary(store, db_url, tmp_path):
    file = tmp_path / "orders.jsonl"
    file.write_text("\n".join([
        json.dumps({"ref": "R1", "location": "STORE-1", "items": [{"sku": "4006381333948", "qty": 1}],
                    "payment": {"processor": "card", "card": "4242424242424242"}}),
        "",
        json.dumps({"ref": "R2", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 1}],
                    "payment": {"processor": "card", "card": "4000000000000002"}}),
    ]) + "\n")
    result = CliRunner().invoke(app, ["--db", db_url, "batch", str(file), "--json"])
    check_json_output(["batch", str(file), "--json"], result.stdout)
    assert result.exit_code == 1  # one line failed
    docs = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(d["line"], d["ref"], d["status"]) for d in docs[:2]] == [(1, "R1", "processing"), (3, "R2", "payment_failed")]
    assert docs[1]["error"]["code"] == "payment_declined" and docs[1]["order_id"] is not None
    assert docs[2]["summary"] is True and docs[2]["lines"] == 2 and docs[2]["ok"] == 1 and docs[2]["failed"] == 1
    assert "4242424242424242" not in result.output and "4000000000000002" not in result.output


def test_batch_reads_standard_input_and_exits_zero_when_all_lines_pass(store, db_url):
    text = json.dumps({"ref": "S1", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 2}],
                       "payment": {"processor": "cash", "tendered": "100.00"}}) + "\n"
    result = CliRunner().invoke(app, ["--db", db_url, "batch", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert "line 1  ref S1  order 1  processing" in result.stdout
    again = CliRunner().invoke(app, ["--db", db_url, "batch", "-"], input=text)
    assert "(replayed)" in again.stdout


def test_batch_of_a_missing_file_is_a_one_line_error(db, db_url, tmp_path):
    result = CliRunner().invoke(app, ["--db", db_url, "batch", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: cannot read")
    assert "Traceback" not in result.output


def test_a_line_that_is_not_utf8_fails_alone(store, db_url, tmp_path):
    good = json.dumps({"ref": "U2", "location": "STORE-1", "items": [{"sku": "TSHIRT-M"}],
                       "payment": {"processor": "cash", "tendered": "50"}}).encode()
    file = tmp_path / "mixed.jsonl"
    file.write_bytes(b'{"ref": "U1\xff", "location": "STORE-1"}\n' + good + b"\n")
    result = CliRunner().invoke(app, ["--db", db_url, "batch", str(file), "--json"])
    check_json_output(["batch", str(file), "--json"], result.stdout)
    assert result.exit_code == 1
    first, second, summary = (json.loads(x) for x in result.stdout.splitlines())
    assert first["error"] == {"code": "invalid_input", "message": "the line is not UTF-8 text"}
    assert second["status"] == "processing" and summary["ok"] == 1


def test_batch_charges_through_a_processor_registered_in_code(store, db_url, fake_processor):
    line = json.dumps({"ref": "F1", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 1}],
                       "payment": {"processor": "fake"}})
    result = CliRunner().invoke(app, ["--db", db_url, "batch", "-", "--json"], input=line + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["status"] == "processing"
    assert len(fake_processor.calls) == 1


def test_a_replayed_order_still_pending_is_not_counted_as_done(store, db, db_url, tmp_path):
    from sqlalchemy import text

    file = tmp_path / "orders.jsonl"
    file.write_text(json.dumps({"ref": "P1", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 1}],
                                "payment": {"processor": "cash", "tendered": "100"}}) + "\n")
    assert CliRunner().invoke(app, ["--db", db_url, "batch", str(file)]).exit_code == 0
    with db.write() as conn:  # as a run killed between recording the order and settling it leaves it
        conn.execute(text("UPDATE orders SET status = 'pending'"))
    again = CliRunner().invoke(app, ["--db", db_url, "batch", str(file)])
    assert again.exit_code == 1
    assert "(replayed)" in again.stdout and "pos order reconcile" in again.stdout
    assert "0 ok, 1 failed, 1 replayed" in again.stderr
