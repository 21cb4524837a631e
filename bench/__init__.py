"""`make bench`: load-test the site under gunicorn with production settings on loopback.

One run, bounded in time (about four minutes with the defaults); docs/performance.md
says what it measures and how to read the numbers. One job per module:

- run.py: the options and the order of a run (`python -m bench` calls its main()).
- server.py: preparing the site (environment, migrate, content, the static ceiling) and
  gunicorn under load, with what /proc says about its CPU and memory.
- site.py: what the run asks Django itself, answered in a process with the site's
  environment (the article to load, the static copy, the contact form's body, rows).
- wrk.py: driving wrk and reading the summary bench/get.lua prints.
- posts.py: the contact form POSTs, and counting that every accepted one was stored.
- profiling.py: py-spy on the workers, summarised.
- report.py: the targets, the Markdown table and the JSON written to bench/results/.

The test servers and the benchmark start gunicorn the same way (tests/servers.py).
"""
