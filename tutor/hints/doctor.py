"""The pre-flight doctor (tutor/probes/doctor.py): what to set up before a class."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "doctor_project_folder_missing": (
        "The project folder {context} does not exist, so there is nothing to build.",
        "Set the project folder (settings, or --project DIR) to the folder that holds backend/ and frontend/; "
        "left empty, the tutor builds its own sample app.",
    ),
    "doctor_dockerfile_missing": (
        "There is no {dockerfile} in the project ({context}), so that build cannot start.",
        "Set the project folder (settings, or --project DIR) to the folder that holds backend/ and frontend/, "
        "each with its Dockerfile.",
    ),
    "doctor_base_images_missing": (
        "Not in your local images: {where}. Without a network the build stops at its FROM line.",
        "While there is a network, pull {them}: `{pulls}`; after that the builds need none.",
    ),
    "doctor_from_variable": (
        "a FROM line names a build argument the tutor cannot resolve: {words}.",
        "Pull the image it stands for while there is a network (`docker pull IMAGE`).",
    ),
    "doctor_disk_low": (
        "Only {free} is free where Docker keeps its images ({path}); the builds need about {needed}.",
        "Free at least {short}: `docker system df` shows what Docker holds, `docker system prune` removes "
        "stopped containers and dangling images.",
    ),
    "doctor_disk_unmeasured": (
        "The engine ({engine_name}) keeps its images at {path} on a disk this machine cannot measure (a VM or "
        "another host).",
        "Check that it has about {needed} free: `docker system df` shows what Docker holds; Docker Desktop sets "
        "its disk size under Settings → Resources.",
    ),
    "doctor_not_a_registry": (
        "{registry_label} answered HTTP {status} at /v2/ ({detail}): that is not the Registry API.",
        "Check the registry's host and port in the settings; a registry answers /v2/ with 200 or 401.",
    ),
    "doctor_quota_low": (
        "{registry_label} allows {remaining} more pulls{per} for {who}; the lesson needs about {needed}.",
        "Pull the base images now, log in (`{login_command}`) so that pulls count against your own account, "
        "or wait {wait} for the quota to refill.",
    ),
    "doctor_not_logged_in": (
        "docker has no login for {registry_label}, and the push step needs one.",
        "Log in with `{tutor_login}` (or `{login_command}`){hub_password}.",
    ),
    "doctor_not_logged_in_no_user": (
        "docker has no login for {registry_label}, and the push step needs one; no username is set, so the "
        "tutor cannot tell whom to log in as.",
        "Set your username in the settings or pass --user NAME, then log in (`{login_command}` asks for it).",
    ),
    "doctor_login_other_user": (
        "But the lesson names your images under {username}/, and {logged_in} may push only under {logged_in}/.",
        "Set your username to {logged_in} in the settings, or log in as {username} (`{login_as}`).",
    ),
    "doctor_no_node": (
        "No k3s node is set, so the node items of the checklist cannot be done.",
        "Add the node's host, user and key file in the settings, or pass --node USER@HOST --identity KEY.",
    ),
    "doctor_trust_host_key": (
        "The node {node} presented a host key the tutor does not know yet ({fingerprint}).",
        "Compare it with the node's own (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the node, or "
        "the EC2 console's system log); only if they match, trust it: `{trust_command}`.",
    ),
    "doctor_check_timeout": (
        "The check did not finish within {seconds} seconds.",
        "Run `docker-tutor doctor` again; if this check stays slow, raise --timeout.",
    ),
    "doctor_check_crashed": (
        "The check itself failed: {detail}",
        "Run `docker-tutor doctor` again; if it fails the same way, report it with the line above.",
    ),
}

GENERIC = {
    "hub_password": "",
    "tutor_login": "docker-tutor do login",
    "trust_command": "docker-tutor doctor --trust-host-key SHA256:…",
    "where": "the base images of your Dockerfiles",
    "pulls": "docker pull IMAGE",
    "them": "them",
    "words": "FROM $VARIABLE",
    "free": "little",
    "short": "some space",
    "needed": "2 GB",
    "engine_name": "Docker",
    "per": "",
    "who": "you",
    "login_as": "docker login",
    "remaining": "no",
}
