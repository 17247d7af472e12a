"""Run as a script in a child process: extract a PDF's text under CPU and memory limits.

Usage: ``python -I _pdf_child.py PDF CPU_SECONDS MEMORY_BYTES``. Prints ``{"pages": [...]}`` as
JSON; on a parse error prints the reason to stderr and exits with status 2. It imports only
pypdf, so a hostile file can at worst exhaust this process's limits.
"""

import json
import resource
import sys


def main() -> None:
    path, cpu_seconds, memory_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # Limits first, before pypdf touches the file.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PyPdfError("the PDF is encrypted with a password")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(2)
    except DependencyError as error:
        # AES decryption needs cryptography; an install without it must say so, not crash.
        print(
            f"the PDF needs a package this Python lacks ({error}); "
            "install it with pip install 'pypdf[crypto]'",
            file=sys.stderr,
        )
        sys.exit(2)
    json.dump({"pages": pages}, sys.stdout)


if __name__ == "__main__":
    main()
