from alembic import context

from pos.migrations import render_plain_types
from pos.models import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_plain_types,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
