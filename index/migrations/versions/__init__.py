"""The revisions, oldest first: 0001 the schema before the job queue, 0002 the queue's columns,
0003 the chunks' token counts. A package only so a non-editable install ships the files;
Alembic loads them by path and skips this one."""
