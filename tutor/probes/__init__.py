"""Checklist probes: look at the learner's world instead of asking about it.

* ``local``: the images in the Docker engine (docker SDK, run in a thread).
* ``registry``: the Registry HTTP API v2 (httpx), anonymously and with docker's stored credentials;
  ``registry_auth`` answers the registry's challenge, ``registry_http`` holds the API's small pieces.
* ``node``: a k3s node over SSH (asyncssh) pulling the images with ``k3s crictl``; ``node_target``
  says which node, ``ssh`` connects and keeps host keys, ``node_pull`` runs and reads the pull.
* ``doctor``: the pre-flight checks of ``docker-tutor doctor`` (``doctor_setup``, ``dockerfile``,
  ``doctor_registry``).
* ``runner``: every probe of a lesson's checklist at once, results mapped onto its items.
* ``roster``: the same for a whole class.

Results are plain dataclasses (``results``); nothing here imports Textual, and docker,
httpx and asyncssh are imported inside the functions that use them.
"""
