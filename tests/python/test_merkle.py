"""MMCS bindings against a pure-Python model of docs/protocol.md §2 (commit, open, verify).

The model is built on the reference sponge and compression of ``reference_model`` (pure Python,
independent of the C++ core); every tampered opening must be rejected with a reason.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import reference_model as ref
from stark_backend import _core
from stark_backend.errors import InputError

P = 2013265921


def hs(values):
    return [int(x) for x in ref.hash_sponge([int(v) for v in values])]


def compress(left, right):
    return [int(x) for x in ref.compress([int(v) for v in left], [int(v) for v in right])]


def model_layers(mats):
    """docs/protocol.md §2.1 node by node: returns the digest layers (leaves first)."""
    order = sorted(range(len(mats)), key=lambda m: -mats[m].shape[0])  # stable
    h_max = mats[order[0]].shape[0]

    def rows_of(height, i):
        out = []
        for m in order:
            if mats[m].shape[0] == height:
                out.extend(int(v) for v in mats[m][i])
        return out

    heights = {m.shape[0] for m in mats}
    layers = [[hs(rows_of(h_max, i)) for i in range(h_max)]]
    length = h_max // 2
    while length >= 1:
        prev = layers[-1]
        layer = [compress(prev[2 * i], prev[2 * i + 1]) for i in range(length)]
        if length in heights:
            layer = [compress(layer[i], hs(rows_of(length, i))) for i in range(length)]
        layers.append(layer)
        length //= 2
    return layers


def random_matrices(rng, shapes):
    return [rng.integers(0, P, size=shape, dtype=np.uint32) for shape in shapes]


SHAPES = [
    [(1, 5)],
    [(1, 3), (1, 9), (1, 1)],
    [(2, 8)],
    [(16, 5), (16, 3), (4, 7), (1, 2)],
    [(4, 7), (16, 5), (1, 2), (16, 3)],  # unsorted: the stable descending sort matters
    [(1, 4), (2, 9), (8, 1), (32, 17), (2, 2), (8, 8)],
]


@pytest.mark.parametrize("shapes", SHAPES)
def test_root_matches_model(shapes):
    rng = np.random.default_rng(len(shapes) * 31 + shapes[0][0])
    mats = random_matrices(rng, shapes)
    expected = model_layers(mats)[-1][0]
    root = _core.merkle_root(mats)
    assert root.dtype == np.uint32 and root.shape == (8,)
    assert root.tolist() == expected
    tree = _core.MerkleTree(mats)
    assert tree.root().tolist() == expected
    assert tree.height == max(h for h, _ in shapes)
    assert tree.num_matrices == len(shapes)


def test_height_one_root_is_the_sponge_without_compression():
    row = np.arange(1, 14, dtype=np.uint32).reshape(1, 13)
    assert _core.merkle_root([row]).tolist() == hs(row[0])


def test_height_two_root_is_one_compression():
    m = np.arange(16, dtype=np.uint32).reshape(2, 8)
    assert _core.merkle_root([m]).tolist() == compress(hs(m[0]), hs(m[1]))


def test_one_dimensional_array_is_a_column():
    col = np.arange(8, dtype=np.uint32)
    assert _core.merkle_root([col]).tolist() == _core.merkle_root([col.reshape(8, 1)]).tolist()


def test_openings_match_model_and_verify():
    rng = np.random.default_rng(7)
    shapes = [(4, 7), (16, 5), (1, 2), (16, 3)]
    mats = random_matrices(rng, shapes)
    layers = model_layers(mats)
    tree = _core.MerkleTree(mats)
    heights = [h for h, _ in shapes]
    widths = [w for _, w in shapes]
    root = tree.root()
    for index in range(16):
        rows, siblings = tree.open(index)
        assert len(rows) == 4
        assert siblings.shape == (4, 8) and siblings.dtype == np.uint32
        for m, (h, _) in enumerate(shapes):
            assert rows[m].tolist() == mats[m][index >> (4 - (h.bit_length() - 1))].tolist()
        for lvl in range(4):
            assert siblings[lvl].tolist() == layers[lvl][(index >> lvl) ^ 1]
        assert _core.merkle_verify(root, heights, widths, index, rows, siblings) == (True, "")


def test_returned_arrays_own_their_memory():
    mats = [np.arange(32, dtype=np.uint32).reshape(8, 4)]
    tree = _core.MerkleTree(mats)
    root = tree.root()
    expected_root = root.tolist()
    root[:] = 0
    assert tree.root().tolist() == expected_root
    rows, siblings = tree.open(3)
    expected_siblings = siblings.tolist()
    assert rows[0].flags.owndata and siblings.flags.owndata
    rows[0][:] = 0
    siblings[:] = 0
    rows2, siblings2 = tree.open(3)
    assert rows2[0].tolist() == mats[0][3].tolist()
    assert siblings2.tolist() == expected_siblings


def test_height_one_opening_has_empty_path():
    m = np.arange(5, dtype=np.uint32).reshape(1, 5)
    tree = _core.MerkleTree([m])
    rows, siblings = tree.open(0)
    assert siblings.shape == (0, 8)
    assert _core.merkle_verify(tree.root(), [1], [5], 0, rows, siblings) == (True, "")


class TestTampering:
    shapes = ((16, 5), (16, 3), (4, 7), (1, 2))
    index = 11

    @pytest.fixture(autouse=True)
    def setup(self):
        rng = np.random.default_rng(11)
        self.mats = random_matrices(rng, self.shapes)
        self.tree = _core.MerkleTree(self.mats)
        self.root = self.tree.root()
        self.heights = [h for h, _ in self.shapes]
        self.widths = [w for _, w in self.shapes]
        self.rows, self.siblings = self.tree.open(self.index)

    def verify(self, root=None, heights=None, widths=None, index=None, rows=None, siblings=None):
        return _core.merkle_verify(
            self.root if root is None else root,
            self.heights if heights is None else heights,
            self.widths if widths is None else widths,
            self.index if index is None else index,
            self.rows if rows is None else rows,
            self.siblings if siblings is None else siblings,
        )

    def rejected(self, **kw):
        ok, reason = self.verify(**kw)
        assert not ok
        assert reason
        return reason

    def test_honest_opening_verifies(self):
        assert self.verify() == (True, "")

    def test_any_opened_element(self):
        for m, row in enumerate(self.rows):
            for j in range(len(row)):
                rows = [r.copy() for r in self.rows]
                rows[m][j] = (int(rows[m][j]) + 1) % P
                self.rejected(rows=rows)

    def test_any_sibling_element(self):
        for lvl in range(self.siblings.shape[0]):
            for j in range(8):
                sib = self.siblings.copy()
                sib[lvl, j] = (int(sib[lvl, j]) + 1) % P
                self.rejected(siblings=sib)

    def test_index(self):
        for other in range(16):
            if other != self.index:
                self.rejected(index=other)
        assert "out of range" in self.rejected(index=16)

    def test_root(self):
        for j in range(8):
            root = self.root.copy()
            root[j] = (int(root[j]) + 1) % P
            assert "root" in self.rejected(root=root)

    def test_row_width(self):
        rows = [r.copy() for r in self.rows]
        rows[2] = np.append(rows[2], np.uint32(1))
        assert "matrix 2" in self.rejected(rows=rows)
        widths = list(self.widths)
        widths[2] += 1
        self.rejected(rows=rows, widths=widths)
        rows = [r.copy() for r in self.rows]
        rows[0] = rows[0][:-1]
        assert "matrix 0" in self.rejected(rows=rows)

    def test_zero_extended_row_needs_the_width_check(self):
        # Hs has no padding: a row and its zero-extension hash alike (pitfall P3). Only the
        # verifier's own widths reject the longer row.
        rows = [r.copy() for r in self.rows]
        rows[3] = np.append(rows[3], np.uint32(0))
        self.rejected(rows=rows)
        widths = list(self.widths)
        widths[3] = 3
        assert self.verify(rows=rows, widths=widths) == (True, "")

    def test_row_count(self):
        self.rejected(rows=self.rows[:-1])
        self.rejected(rows=[*self.rows, np.zeros(2, dtype=np.uint32)])

    def test_proof_length(self):
        assert "path" in self.rejected(siblings=self.siblings[:-1].copy())
        self.rejected(siblings=np.vstack([self.siblings, self.siblings[-1:]]))

    def test_non_canonical_element(self):
        rows = [r.copy() for r in self.rows]
        rows[1][0] = P  # congruent to 0, but not canonical
        assert "canonical" in self.rejected(rows=rows)
        sib = self.siblings.copy()
        sib[0, 0] = 0xFFFFFFFF
        assert "canonical" in self.rejected(siblings=sib)

    def test_heights_differ_from_commitment(self):
        heights = list(self.heights)
        heights[2] = 8
        self.rejected(heights=heights)


def test_invalid_matrices_raise_input_error():
    good = np.zeros((4, 2), dtype=np.uint32)
    with pytest.raises(InputError):
        _core.merkle_root([])
    with pytest.raises(InputError, match=r"matrices\[1\]"):
        _core.merkle_root([good, np.zeros((3, 2), dtype=np.uint32)])
    with pytest.raises(InputError, match=r"matrices\[1\]"):
        _core.merkle_root([good, np.zeros((4, 0), dtype=np.uint32)])
    with pytest.raises(InputError, match=r"matrices\[0\]"):
        _core.merkle_root([np.zeros((0, 2), dtype=np.uint32)])
    with pytest.raises(InputError, match=r"matrices\[1\]"):
        _core.merkle_root([good, np.zeros((4, 2), dtype=np.int64)])
    with pytest.raises(InputError, match=r"matrices\[1\]"):
        _core.merkle_root([good, np.zeros((2, 4), dtype=np.uint32).T])  # not C-contiguous
    with pytest.raises(InputError, match=r"matrices\[0\]"):
        _core.merkle_root([np.zeros((4, 2, 2), dtype=np.uint32)])
    with pytest.raises(InputError):
        _core.merkle_root(good)  # a single array, not a list
    with pytest.raises(InputError):
        _core.MerkleTree([good, [[1, 2]]])


def test_invalid_open_and_verify_arguments():
    tree = _core.MerkleTree([np.zeros((8, 2), dtype=np.uint32)])
    with pytest.raises(InputError, match="index"):
        tree.open(8)
    with pytest.raises(InputError, match="index"):
        tree.open(-1)
    rows, sib = tree.open(0)
    root = tree.root()
    with pytest.raises(InputError, match="heights"):
        _core.merkle_verify(root, [6], [2], 0, rows, sib)
    with pytest.raises(InputError, match="heights"):
        _core.merkle_verify(root, [], [], 0, [], sib)
    with pytest.raises(InputError, match="widths"):
        _core.merkle_verify(root, [8], [0], 0, rows, sib)
    with pytest.raises(InputError, match="widths"):
        _core.merkle_verify(root, [8], [2, 2], 0, rows, sib)
    with pytest.raises(InputError, match="root"):
        _core.merkle_verify(root[:7], [8], [2], 0, rows, sib)
    with pytest.raises(InputError, match="siblings"):
        _core.merkle_verify(root, [8], [2], 0, rows, sib.reshape(-1))
    with pytest.raises(InputError, match="index"):
        _core.merkle_verify(root, [8], [2], -3, rows, sib)
    with pytest.raises(InputError, match="heights"):
        _core.merkle_verify(root, [-8], [2], 0, rows, sib)
    with pytest.raises(InputError, match=r"rows\[0\]"):
        _core.merkle_verify(root, [8], [2], 0, [[1, -2]], sib)
    # lengths from the proof never size anything: a huge index is just out of range
    ok, reason = _core.merkle_verify(root, [8], [2], 2**62, rows, sib)
    assert not ok and "out of range" in reason


def test_concurrent_commits_from_threads():
    rng = np.random.default_rng(3)
    mats = random_matrices(rng, [(64, 9), (16, 3)])
    expected = _core.merkle_root(mats).tolist()
    results = []

    def work():
        results.append(_core.merkle_root(mats).tolist())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_root_independent_of_thread_count():
    rng = np.random.default_rng(5)
    mats = random_matrices(rng, [(512, 13), (128, 4), (512, 2), (1, 3)])
    saved = _core.num_threads()
    try:
        roots = []
        for n in (1, 2, 3):
            _core.set_num_threads(n)
            roots.append(_core.merkle_root(mats).tolist())
    finally:
        _core.set_num_threads(saved)
    assert roots[0] == roots[1] == roots[2]
