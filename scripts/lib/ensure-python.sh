#!/usr/bin/env bash
# Installs the Python clients the end-to-end suites use, when they are missing.
set -euo pipefail
need=()
python3 -c "import boto3" 2>/dev/null || need+=(boto3)
python3 -c "import pytest" 2>/dev/null || need+=(pytest)
# pycognito for the sign-in suites; PyJWT (which it brings) needs cryptography to verify RS256.
python3 -c "import pycognito" 2>/dev/null || need+=(pycognito)
python3 -c "import cryptography" 2>/dev/null || need+=(cryptography)
command -v aws >/dev/null 2>&1 || need+=(awscli)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  python3 -m pip install -q "${need[@]}"
fi
echo "python clients: boto3 $(python3 -c 'import boto3; print(boto3.__version__)'), pycognito $(python3 -c 'import importlib.metadata as m; print(m.version("pycognito"))'), $(aws --version 2>&1 | cut -d' ' -f1)"
