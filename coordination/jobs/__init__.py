"""Background jobs (issue 14): exports too big for a request, run by an RQ worker on Redis.

The database holds each job (who asked, what, how far, the file); RQ only carries the job's id.
"""
