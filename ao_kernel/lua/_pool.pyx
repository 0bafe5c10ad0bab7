# cython: language_level=3
"""A pooling allocator for Lua states (C, built by `ao-kernel compile`; see allocator.py).

lupa allocates every Lua object with glibc's realloc/free. A message makes and frees a few
hundred small objects, so each state keeps its own free lists of small blocks (up to 512 bytes,
in 16-byte classes) and reuses them, with no lock (a state runs on one thread at a time) and
with lupa's memory accounting and limit kept exactly (the same fields, the same rule).

Each block of ours carries an 8-byte tag in front of it, with bit 3 set: a glibc chunk's size
field, which is what sits in front of a block lupa allocated before the pool was installed,
never has that bit, so such blocks are recognised and handed back to glibc. lua_close frees the
state's main block last; the pool then frees what it holds and itself.
"""

from libc.stdint cimport uintptr_t

cdef extern from *:
    """
    #include <stdlib.h>
    #include <string.h>
    #include <stdint.h>

    /* lupa's MemoryStatus (lupa 2.x), checked by allocator.py before a pool is installed. */
    typedef struct { size_t used; size_t base_usage; size_t limit; } ao_status;

    #define AO_CLASSES 33                   /* class k: blocks of up to 16*k bytes, k = 1..32 */
    #define AO_SMALL (16 * (AO_CLASSES - 1))
    #define AO_KEEP_BYTES (1024 * 1024)     /* free bytes one pool keeps for reuse */
    #define AO_TAG 0x5A5A000000000008ULL
    #define AO_TAG_MASK 0xFFFF00000000000FULL

    typedef struct ao_free { struct ao_free *next; } ao_free;
    typedef struct {
        ao_status *status;
        void *main_block;
        ao_free *heads[AO_CLASSES];
        size_t kept;
    } ao_pool;

    static long ao_live_pools = 0;

    static inline int ao_ours(void *ptr) {
        return (((uint64_t *)ptr)[-1] & AO_TAG_MASK) == AO_TAG;
    }
    static inline size_t ao_class_of(void *ptr) {
        return (size_t)((((uint64_t *)ptr)[-1] >> 4) & 0xFF);
    }
    static void *ao_obtain(ao_pool *p, size_t n) {
        size_t k = (n + 15) >> 4;
        ao_free *b = p->heads[k];
        if (b != NULL) {
            p->heads[k] = b->next;
            p->kept -= 16 * k;
            return (void *)b;
        }
        uint64_t *base = (uint64_t *)malloc(16 * k + 8);
        if (base == NULL) return NULL;
        base[0] = AO_TAG | ((uint64_t)k << 4);
        return (void *)(base + 1);
    }
    static void ao_release(ao_pool *p, void *ptr) {
        if (!ao_ours(ptr)) { free(ptr); return; }
        size_t k = ao_class_of(ptr);
        if (p->kept + 16 * k > AO_KEEP_BYTES) { free((uint64_t *)ptr - 1); return; }
        ((ao_free *)ptr)->next = p->heads[k];
        p->heads[k] = (ao_free *)ptr;
        p->kept += 16 * k;
    }
    static void ao_teardown(ao_pool *p) {
        for (size_t k = 0; k < AO_CLASSES; k++) {
            ao_free *b = p->heads[k];
            while (b != NULL) { ao_free *next = b->next; free((uint64_t *)b - 1); b = next; }
        }
        free(p);
        ao_live_pools--;
    }
    /* The lua_Alloc contract, with lupa's accounting: `used` moves by nsize - osize, and a
       request that grows past a non-zero `limit` fails (Lua then raises "not enough memory"). */
    static void *ao_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
        ao_pool *p = (ao_pool *)ud;
        ao_status *st = p->status;
        void *fresh;
        if (ptr == NULL) osize = 0;
        if (nsize == 0) {
            st->used -= osize;
            if (ptr != NULL) {
                if (ptr == p->main_block) { free(ptr); ao_teardown(p); return NULL; }
                ao_release(p, ptr);
            }
            return NULL;
        }
        if (nsize == osize) return ptr;
        if (st->limit > 0 && nsize > osize && st->limit <= st->used + nsize - osize) return NULL;
        if (ptr != NULL && ao_ours(ptr)) {
            size_t cap = 16 * ao_class_of(ptr);
            if (nsize <= cap && nsize * 2 > cap) { st->used += nsize - osize; return ptr; }
        } else if (ptr != NULL && nsize > AO_SMALL) {
            fresh = realloc(ptr, nsize);
            if (fresh == NULL) return NULL;
            st->used += nsize - osize;
            return fresh;
        }
        fresh = nsize <= AO_SMALL ? ao_obtain(p, nsize) : malloc(nsize);
        if (fresh == NULL) return NULL;
        if (ptr != NULL) {
            memcpy(fresh, ptr, osize < nsize ? osize : nsize);
            ao_release(p, ptr);
        }
        st->used += nsize - osize;
        return fresh;
    }
    static uintptr_t ao_new_pool(uintptr_t status, uintptr_t main_block) {
        ao_pool *p = (ao_pool *)calloc(1, sizeof(ao_pool));
        if (p == NULL) return 0;
        p->status = (ao_status *)status;
        p->main_block = (void *)main_block;
        ao_live_pools++;
        return (uintptr_t)p;
    }
    static uintptr_t ao_alloc_address(void) { return (uintptr_t)&ao_alloc; }
    static long ao_pools(void) { return ao_live_pools; }
    """
    uintptr_t ao_new_pool(uintptr_t status, uintptr_t main_block)
    uintptr_t ao_alloc_address()
    long ao_pools()


def new_pool(status: int, main_block: int) -> int:
    """A pool for the state whose lupa accounting is at `status` and main block at
    `main_block`; its address (the allocator's user data), 0 when out of memory."""
    return ao_new_pool(status, main_block)


def alloc_address() -> int:
    """The address of the lua_Alloc function."""
    return ao_alloc_address()


def live_pools() -> int:
    """How many pools exist (one per state with the pool installed, until lua_close)."""
    return ao_pools()
