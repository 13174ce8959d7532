//! A growable array whose elements never move. A `Vec` that grows copies all it
//! holds into memory it has to fault in anew: with a hundred thousand groups of a
//! few hundred bytes each, that is tens of megabytes copied while events wait.
//! Here each page is twice the one before (the first two are `FIRST` long), so
//! growing allocates the next page and copies nothing, a select with few groups
//! holds little, and finding an element is a shift and a count of leading zeros.
//! A page of 2 MiB or more is advised to take huge pages before it is written
//! ([`crate::sys::advise_huge`]): groups read at random over tens of megabytes
//! otherwise cost a TLB miss each.

/// Elements in each of the first two pages.
const FIRST_BITS: u32 = 4;
const FIRST: usize = 1 << FIRST_BITS;

pub(super) struct Paged<T> {
    pages: Vec<Box<[T]>>,
    len: usize,
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Paged {
            pages: Vec::new(),
            len: 0,
        }
    }
}

/// The page of element `i` and where in it.
fn place(i: usize) -> (usize, usize) {
    let q = i >> FIRST_BITS;
    if q == 0 {
        return (0, i);
    }
    let page = (usize::BITS - q.leading_zeros()) as usize;
    (page, i - (FIRST << (page - 1)))
}

impl<T: Default> Paged<T> {
    /// Elements pushed (the groups' own count is their index's).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let (page, at) = place(i);
        self.pages.get(page)?.get(at)
    }

    pub(super) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        let (page, at) = place(i);
        self.pages.get_mut(page)?.get_mut(at)
    }

    /// Adds `v` at the end; returns its index.
    pub(super) fn push(&mut self, v: T) -> usize {
        let i = self.len;
        let (page, at) = place(i);
        if page == self.pages.len() {
            let size = if page == 0 {
                FIRST
            } else {
                FIRST << (page - 1)
            };
            // Advised before it is written: pages already faulted in stay small.
            let mut page = Vec::with_capacity(size);
            crate::sys::advise_huge(page.as_ptr(), size * std::mem::size_of::<T>());
            page.extend(std::iter::repeat_with(T::default).take(size));
            self.pages.push(page.into_boxed_slice());
        }
        self.pages[page][at] = v;
        self.len += 1;
        i
    }
}

#[cfg(test)]
mod tests {
    use super::{place, Paged};

    #[test]
    fn pages_double_and_elements_stay_where_they_were_put() {
        assert_eq!(place(0), (0, 0));
        assert_eq!(place(15), (0, 15));
        assert_eq!(place(16), (1, 0));
        assert_eq!(place(31), (1, 15));
        assert_eq!(place(32), (2, 0));
        assert_eq!(place(64), (3, 0));
        let mut p: Paged<u64> = Paged::default();
        let mut addrs = Vec::new();
        for i in 0..5000u64 {
            assert_eq!(p.push(i * 3), i as usize);
            addrs.push(p.get(i as usize).map(|r| r as *const u64));
        }
        assert_eq!(p.len(), 5000);
        for (i, addr) in addrs.iter().enumerate() {
            assert_eq!(p.get(i), Some(&(i as u64 * 3)));
            assert_eq!(
                p.get(i).map(|r| r as *const u64),
                *addr,
                "element {i} moved"
            );
        }
        assert_eq!(p.get(5000), None);
        *p.get_mut(4999).expect("present") = 7;
        assert_eq!(p.get(4999), Some(&7));
        assert!(p.get_mut(5000).is_none());
    }

    /// Pages of megabytes (those advised to take huge pages) hold what is pushed.
    #[test]
    fn pages_of_megabytes_hold_their_elements() {
        // 4 KiB elements: the pages past the ninth span 2 MiB and more.
        type Big = [[u64; 32]; 16];
        let mut p: Paged<Big> = Paged::default();
        for i in 0..3000u64 {
            p.push([[i; 32]; 16]);
        }
        assert!((0..3000u64).all(|i| p.get(i as usize) == Some(&[[i; 32]; 16])));
    }
}
