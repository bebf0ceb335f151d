"""One resolution of the database URL, shared by the commands and shell completion."""

from pathlib import Path

from pos.dburl import resolve_url, sqlite_file


def test_a_bare_path_is_a_sqlite_file_and_completion_reads_that_same_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = resolve_url("shop.db")
    assert url == f"sqlite:///{tmp_path / 'shop.db'}"
    assert sqlite_file(url) == tmp_path / "shop.db"


def test_the_environment_is_used_when_no_db_option_is_given(monkeypatch):
    monkeypatch.setenv("POS_DATABASE_URL", "postgres://till@db.example/shop")
    assert resolve_url(None) == "postgresql+psycopg://till@db.example/shop"
    assert sqlite_file(resolve_url(None)) is None  # completion asks the server through the services


def test_the_db_option_wins_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POS_DATABASE_URL", "postgresql://till@db.example/shop")
    assert sqlite_file(resolve_url(f"sqlite:///{tmp_path}/a.db?timeout=5")) == Path(f"{tmp_path}/a.db")


def test_without_option_or_environment_the_file_is_in_the_users_data_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("POS_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert sqlite_file(resolve_url(None)) == tmp_path / "pos" / "pos.db"
