"""The practice registry: a real registry on 127.0.0.1 that behaves like Docker Hub where the lesson
depends on it (accounts, namespaces, public and private repositories), for classes without internet.

The registry is the real one (Debian's ``docker-registry``, or the engine's ``registry:2`` image);
only the small token service that signs its tokens is ours. Modules, one concern each:

* ``state``: where everything lives (the user's data folder) and the small JSON records.
* ``accounts``: learners' accounts, kept as scrypt hashes, and the class file.
* ``policy``: who may pull or push which repository; public and private repositories.
* ``tokens``: the signing key and certificate, and the ES256 tokens the registry trusts.
* ``service``: the token service's HTTP server (``python -m tutor.practice.service``).
* ``backend``: finding the registry binary or image, and the registry's config.
* ``control``: start, stop and status of the two processes.
* ``contents``: what the registry holds, asked through its own API.
* ``ready``: what the settings' "Practice registry (offline)" choice does (start, account, login).

Nothing here imports Textual; cryptography, jwt and docker are imported where they are used.
"""
