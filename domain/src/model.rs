//! The simulated population: insurers, facilities, insured persons, their qualifications and
//! certificates, and the reference numbers facilities registered. Built once, read by every
//! inquiry; compact enough for a million persons (see the benches).

use chrono::NaiveDate;
use oqs_protocol::codes::{
    ContributionRatio, InsuredCardClassification, LimitCategory, LimitCertificateKind,
    MedicalTreatmentType, PersonalFamily, ReasonOfLoss, Sex, SingleOrCombined, SpecificDisease,
    TicketType,
};
use oqs_protocol::message::InsurerNumber;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};

pub type PersonId = u32;
pub type QualificationId = u32;

/// 保険者.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insurer {
    pub number: InsurerNumber,
    pub name: Box<str>,
}

/// 医療機関等 (DM-01), the part the inquiries need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facility {
    /// 医療機関コード, 10 digits.
    pub code: Box<str>,
    pub name: Box<str>,
    /// 医科 / 歯科 / 訪看 / 薬局.
    pub kind: Box<str>,
    /// Uses 調剤済み処方箋の保存サービス: only such a pharmacy sees ch.11 (RULE-69).
    pub dispensing_storage: bool,
    /// 生活保護法の指定を受けた医療機関等 with ENV-07 「医療扶助関連項目」 = 「利用する」: only
    /// then are 医療扶助 qualifications shown (RULE-37).
    pub medical_assistance: bool,
}

/// 被保険者 (DM-05): who the person is, as the insurer registered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The fixture id (stable handle for fixtures, scenarios and snapshots).
    pub key: Box<str>,
    pub name: Box<str>,
    pub name_kana: Box<str>,
    /// 氏名(その他) (RULE-06).
    pub other_name: Option<Box<str>>,
    pub other_name_kana: Option<Box<str>>,
    /// 性別(表面).
    pub sex: Sex,
    /// 性別(裏面): only meaningful when 性別(表面) is 未設定 (RULE-06).
    pub sex_back: Option<Sex>,
    pub birthdate: NaiveDate,
    /// 郵便番号 / 住所: absent when the insurer did not send them (RULE-07).
    pub post_number: Option<Box<str>>,
    pub address: Option<Box<str>>,
    /// 保険者等の都合 (e.g. a DV protection flag): the My Number path shows ERR-15 instead of
    /// the qualification (改定履歴 v1.17 of ERR-15).
    pub suppressed: bool,
}

/// 高齢受給者証 (DM-07).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElderlyCertificate {
    pub issued_on: Option<NaiveDate>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub ratio: ContributionRatio,
}

/// 限度額適用認定証 (DM-08).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitCertificate {
    pub kind: LimitCertificateKind,
    pub category: LimitCategory,
    pub issued_on: Option<NaiveDate>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// 長期入院該当日 (RULE-11).
    pub long_term_date: Option<NaiveDate>,
}

/// 特定疾病療養受療証 (DM-09).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecificDiseaseCertificate {
    pub disease: SpecificDisease,
    pub issued_on: Option<NaiveDate>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// 自己負担額 in yen per month.
    pub self_pay: u32,
}

/// 医療券・調剤券 (DM-12) of a 医療扶助 qualification, issued by the 福祉事務所 to one
/// 指定医療機関 (the facility it is entrusted to, 委託先) for one 診療年月.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MedicalTicket {
    pub kind: TicketType,
    /// 診療年月: the first day of the month.
    pub month: NaiveDate,
    pub single_or_combined: SingleOrCombined,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// 交付番号.
    pub issue_number: Box<str>,
    /// 指定医療機関 (委託先): 医療機関コード and the name printed on the ticket.
    pub facility: Box<str>,
    pub facility_name: Box<str>,
    /// 処方箋発行元 (調剤券 only): 医療機関コード and name.
    pub prescriber: Option<(Box<str>, Box<str>)>,
    /// 傷病名1..3.
    pub injuries: Vec<Box<str>>,
    pub treatment: MedicalTreatmentType,
    /// 自己負担額 in yen.
    pub self_pay: u32,
    pub district_contact: Option<Box<str>>,
    pub handling_contact: Option<Box<str>>,
    /// 社会保険 あり / なし (RULE-44 compares it with the insurance qualifications).
    pub social_insurance: bool,
    /// 感染症法第37条の2, 後期高齢者医療, 都道府県費: あり / なし.
    pub infection: bool,
    pub elderly_medical_care: bool,
    pub prefectural_expenses: bool,
}

/// Certificates attached to a qualification (most have none, so they are boxed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certificates {
    pub elderly: Vec<ElderlyCertificate>,
    pub limit: Vec<LimitCertificate>,
    pub specific_disease: Vec<SpecificDiseaseCertificate>,
    /// 医療扶助 (card A1) only.
    pub medical_tickets: Vec<MedicalTicket>,
}

/// Something valid over a span of days.
pub trait ValidSpan {
    fn valid_from(&self) -> NaiveDate;
    fn valid_until(&self) -> Option<NaiveDate>;
    fn covers(&self, d: NaiveDate) -> bool {
        self.valid_from() <= d && self.valid_until().is_none_or(|u| d <= u)
    }
}

macro_rules! valid_span {
    ($($t:ty),+) => {$(
        impl ValidSpan for $t {
            fn valid_from(&self) -> NaiveDate { self.valid_from }
            fn valid_until(&self) -> Option<NaiveDate> { self.valid_until }
        }
    )+};
}
valid_span!(
    ElderlyCertificate,
    LimitCertificate,
    SpecificDiseaseCertificate,
    MedicalTicket
);

/// 資格情報 (DM-06): one insurance card of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    pub person: PersonId,
    pub insurer: InsurerNumber,
    /// 記号; `None` when the card has none (RULE-30).
    pub symbol: Option<Box<str>>,
    pub number: Box<str>,
    /// 枝番; `None` for cards without one (e.g. 後期高齢者).
    pub branch: Option<Box<str>>,
    pub card: InsuredCardClassification,
    pub relation: PersonalFamily,
    /// 被保険者氏名 (head of household).
    pub insured_name: Option<Box<str>>,
    pub qualification_date: Option<NaiveDate>,
    pub disqualification_date: Option<NaiveDate>,
    pub reason_of_loss: Option<ReasonOfLoss>,
    pub issued_on: Option<NaiveDate>,
    /// 有効開始日.
    pub valid_from: NaiveDate,
    /// 有効終了日 (the last valid day).
    pub valid_until: Option<NaiveDate>,
    /// 一部負担金割合 (後期高齢者, RULE-08).
    pub copayment: Option<ContributionRatio>,
    pub certificates: Option<Box<Certificates>>,
}

impl Qualification {
    /// A 医療扶助 qualification (証区分 A1): 保険者番号 = 公費負担者番号, 番号 = 受給者番号.
    pub fn is_medical_assistance(&self) -> bool {
        self.card == InsuredCardClassification::MedicalAssistance
    }

    /// Valid on `d`: inside [有効開始日, 有効終了日] and before 資格喪失日.
    pub fn is_valid_on(&self, d: NaiveDate) -> bool {
        self.valid_from <= d
            && self.valid_until.is_none_or(|u| d <= u)
            && self.disqualification_date.is_none_or(|x| d < x)
    }
}

/// A list of ids that is usually one long.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Ids {
    #[default]
    None,
    One(u32),
    Many(Vec<u32>),
}

impl Ids {
    pub fn push(&mut self, id: u32) {
        *self = match std::mem::take(self) {
            Ids::None => Ids::One(id),
            Ids::One(a) => Ids::Many(vec![a, id]),
            Ids::Many(mut v) => {
                v.push(id);
                Ids::Many(v)
            }
        }
    }

    pub fn as_slice(&self) -> &[u32] {
        match self {
            Ids::None => &[],
            Ids::One(a) => std::slice::from_ref(a),
            Ids::Many(v) => v,
        }
    }
}

/// The keys are already hashes; hashing them again would waste time.
#[derive(Default)]
pub struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type HashIndex = HashMap<u64, Ids, BuildHasherDefault<PassThroughHasher>>;

type Fold = foldhash::fast::RandomState;

/// The seed of [`card_key_hash`] (any fixed value).
const CARD_KEY_SEED: u64 = 0x4f51_535f_6361_7264;

/// Hash of the card key 保険者番号 + 記号 + 番号 (the search key without 枝番, RULE-32).
/// foldhash with a fixed seed (stable across runs): ≈ 10× fewer instructions than SipHash on
/// every inquiry. Not keyed against flooding, and need not be: the index holds the fixture's
/// cards only (a request's card is only looked up), and every hit is compared with the key.
pub fn card_key_hash(insurer: InsurerNumber, symbol: Option<&str>, number: &str) -> u64 {
    use std::hash::BuildHasher;
    let mut h = foldhash::fast::FixedState::with_seed(CARD_KEY_SEED).build_hasher();
    insurer.0.hash(&mut h);
    symbol.unwrap_or("").hash(&mut h);
    number.hash(&mut h);
    h.finish()
}

/// Everything the simulator knows about people and cards.
#[derive(Debug, Clone, Default)]
pub struct Population {
    insurers: BTreeMap<InsurerNumber, Insurer>,
    facilities: BTreeMap<Box<str>, Facility>,
    persons: Vec<Person>,
    person_keys: HashMap<Box<str>, PersonId>,
    qualifications: Vec<Qualification>,
    by_person: Vec<Ids>,
    by_card: HashIndex,
    /// 照会番号 by facility, then qualification (looked up by `&str`, no key built per lookup).
    /// foldhash (seeded per map): the fixture's registrations only are inserted.
    reference_numbers: HashMap<Box<str>, HashMap<QualificationId, Box<str>, Fold>, Fold>,
    /// 訪問診療等・オンライン診療等 consents (DM-14), read by `crate::visiting`.
    pub(crate) consents: Vec<crate::consent::Consent>,
    /// Prescriptions by 引換番号 (DM-16), read by `crate::prescription`.
    pub(crate) prescriptions: Vec<crate::prescription_record::Prescription>,
    /// 保管調剤結果 (ch.11), by pharmacy and 調剤年月日.
    dispensing: crate::dispensing::StoredResults,
}

impl Population {
    pub fn new() -> Self {
        Population::default()
    }

    pub fn insurer(&self, n: InsurerNumber) -> Option<&Insurer> {
        self.insurers.get(&n)
    }

    pub fn insurers(&self) -> impl Iterator<Item = &Insurer> {
        self.insurers.values()
    }

    pub fn upsert_insurer(&mut self, insurer: Insurer) {
        self.insurers.insert(insurer.number, insurer);
    }

    pub fn facility(&self, code: &str) -> Option<&Facility> {
        self.facilities.get(code)
    }

    pub fn facilities(&self) -> impl Iterator<Item = &Facility> {
        self.facilities.values()
    }

    pub fn upsert_facility(&mut self, f: Facility) {
        self.facilities.insert(f.code.clone(), f);
    }

    /// The stored dispensing results (ch.11).
    pub fn dispensing(&self) -> &crate::dispensing::StoredResults {
        &self.dispensing
    }

    pub fn dispensing_mut(&mut self) -> &mut crate::dispensing::StoredResults {
        &mut self.dispensing
    }

    pub fn person(&self, id: PersonId) -> &Person {
        &self.persons[id as usize]
    }

    pub fn person_by_key(&self, key: &str) -> Option<PersonId> {
        self.person_keys.get(key).copied()
    }

    pub fn person_count(&self) -> usize {
        self.persons.len()
    }

    pub fn qualification_count(&self) -> usize {
        self.qualifications.len()
    }

    /// Adds a person, or replaces the one with the same key (keeping its id and qualifications).
    pub fn upsert_person(&mut self, p: Person) -> PersonId {
        if let Some(&id) = self.person_keys.get(&p.key) {
            self.persons[id as usize] = p;
            return id;
        }
        let id = self.persons.len() as PersonId;
        self.person_keys.insert(p.key.clone(), id);
        self.persons.push(p);
        self.by_person.push(Ids::None);
        id
    }

    /// Adds a person without a fixture-key entry (generated populations: saves memory).
    pub fn push_anonymous_person(&mut self, p: Person) -> PersonId {
        let id = self.persons.len() as PersonId;
        self.persons.push(p);
        self.by_person.push(Ids::None);
        id
    }

    pub fn qualification(&self, id: QualificationId) -> &Qualification {
        &self.qualifications[id as usize]
    }

    /// Adds a qualification of an existing person.
    pub fn add_qualification(&mut self, q: Qualification) -> QualificationId {
        let id = self.qualifications.len() as QualificationId;
        self.by_card
            .entry(card_key_hash(q.insurer, q.symbol.as_deref(), &q.number))
            .or_default()
            .push(id);
        self.by_person[q.person as usize].push(id);
        self.qualifications.push(q);
        id
    }

    /// Qualifications of a person, in the order they were added.
    pub fn qualifications_of(
        &self,
        person: PersonId,
    ) -> impl Iterator<Item = QualificationId> + '_ {
        self.by_person[person as usize].as_slice().iter().copied()
    }

    /// Qualifications whose card key (保険者番号 + 記号 + 番号) equals the given one.
    pub fn qualifications_by_card<'a>(
        &'a self,
        insurer: InsurerNumber,
        symbol: Option<&'a str>,
        number: &'a str,
    ) -> impl Iterator<Item = QualificationId> + 'a {
        let ids = self
            .by_card
            .get(&card_key_hash(insurer, symbol, number))
            .map(Ids::as_slice)
            .unwrap_or(&[]);
        ids.iter().copied().filter(move |&id| {
            let q = &self.qualifications[id as usize];
            q.insurer == insurer && q.symbol.as_deref() == symbol && &*q.number == number
        })
    }

    /// The qualification with exactly this card key and 枝番.
    pub fn find_qualification(
        &self,
        insurer: InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
    ) -> Option<QualificationId> {
        self.qualifications_by_card(insurer, symbol, number)
            .find(|&id| self.qualifications[id as usize].branch.as_deref() == branch)
    }

    pub fn reference_number(&self, facility: &str, q: QualificationId) -> Option<&str> {
        self.reference_numbers.get(facility)?.get(&q).map(|s| &**s)
    }

    /// Registers (`Some`) or deletes (`None`) a facility's reference number for a qualification.
    pub fn set_reference_number(
        &mut self,
        facility: &str,
        q: QualificationId,
        value: Option<&str>,
    ) {
        match value {
            Some(v) if !v.is_empty() => {
                self.reference_numbers
                    .entry(facility.into())
                    .or_default()
                    .insert(q, v.into());
            }
            _ => {
                if let Some(numbers) = self.reference_numbers.get_mut(facility) {
                    numbers.remove(&q);
                    if numbers.is_empty() {
                        self.reference_numbers.remove(facility);
                    }
                }
            }
        }
    }

    /// Estimated heap + inline bytes held, for memory reports (not exact: allocator slack is ignored).
    pub fn approximate_bytes(&self) -> usize {
        fn s(b: &str) -> usize {
            b.len()
        }
        fn o(b: &Option<Box<str>>) -> usize {
            b.as_deref().map_or(0, str::len)
        }
        let persons: usize = self
            .persons
            .iter()
            .map(|p| {
                std::mem::size_of::<Person>()
                    + s(&p.key)
                    + s(&p.name)
                    + s(&p.name_kana)
                    + o(&p.other_name)
                    + o(&p.other_name_kana)
                    + o(&p.post_number)
                    + o(&p.address)
            })
            .sum();
        let quals: usize = self
            .qualifications
            .iter()
            .map(|q| {
                std::mem::size_of::<Qualification>()
                    + o(&q.symbol)
                    + s(&q.number)
                    + o(&q.branch)
                    + o(&q.insured_name)
                    + q.certificates
                        .as_ref()
                        .map_or(0, |_| std::mem::size_of::<Certificates>() + 64)
            })
            .sum();
        let ids = |i: &Ids| {
            std::mem::size_of::<Ids>()
                + if let Ids::Many(v) = i {
                    v.capacity() * 4
                } else {
                    0
                }
        };
        let by_person: usize = self.by_person.iter().map(ids).sum();
        let by_card: usize = self.by_card.capacity() * (8 + std::mem::size_of::<Ids>() + 1)
            + self
                .by_card
                .values()
                .map(|i| ids(i) - std::mem::size_of::<Ids>())
                .sum::<usize>();
        let keys = self.person_keys.capacity() * (16 + 4 + 1)
            + self.person_keys.keys().map(|k| k.len()).sum::<usize>();
        persons + quals + by_person + by_card + keys
    }
}
