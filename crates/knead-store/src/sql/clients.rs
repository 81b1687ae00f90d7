//! PLACEHOLDER: the clients port over SQL; the store work replaces every body.
#![allow(unused_variables)]
use super::SqlDatabase;
use crate::{BookingFilter, ClientStore, ClientSummary, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId};
use knead_core::intake::{
    AuditEntry, AuditEvent, Clearance, Client, ClientDraft, ClientId, HealthHistory, IntakeVersion, ScreeningId,
    ScreeningRecord,
};
use knead_core::{Email, TherapistId, UserId};

#[async_trait]
impl<D: SqlDatabase> ClientStore for D {
    async fn create_client(&self, draft: &ClientDraft, user: Option<UserId>, now: Timestamp) -> StoreResult<Client> {
        todo!("clients port")
    }
    async fn client(&self, id: ClientId) -> StoreResult<Client> {
        todo!("clients port")
    }
    async fn update_client(&self, id: ClientId, draft: &ClientDraft) -> StoreResult<Client> {
        todo!("clients port")
    }
    async fn client_for_user(&self, user: UserId) -> StoreResult<Option<Client>> {
        todo!("clients port")
    }
    async fn clients_by_email(&self, email: &Email) -> StoreResult<Vec<Client>> {
        todo!("clients port")
    }
    async fn client_summaries(&self, therapist: Option<TherapistId>) -> StoreResult<Vec<ClientSummary>> {
        todo!("clients port")
    }
    async fn is_client_of(&self, client: ClientId, therapist: TherapistId) -> StoreResult<bool> {
        todo!("clients port")
    }
    async fn bookings_of_client(&self, client: ClientId) -> StoreResult<Vec<Booking>> {
        todo!("clients port")
    }
    async fn bookings_filtered(&self, filter: &BookingFilter) -> StoreResult<Vec<Booking>> {
        todo!("clients port")
    }
    async fn add_intake(
        &self,
        client: ClientId,
        history: &HealthHistory,
        submitted_by: Option<UserId>,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<IntakeVersion> {
        todo!("clients port")
    }
    async fn intakes(&self, client: ClientId) -> StoreResult<Vec<IntakeVersion>> {
        todo!("clients port")
    }
    async fn save_screening(&self, screening: &ScreeningRecord, audit: &AuditEvent) -> StoreResult<()> {
        todo!("clients port")
    }
    async fn screening(&self, id: &ScreeningId) -> StoreResult<ScreeningRecord> {
        todo!("clients port")
    }
    async fn claim_screening(&self, id: &ScreeningId, client: ClientId) -> StoreResult<()> {
        todo!("clients port")
    }
    async fn client_screenings(&self, client: ClientId) -> StoreResult<Vec<ScreeningRecord>> {
        todo!("clients port")
    }
    async fn emergency_screenings(&self, since: Timestamp) -> StoreResult<Vec<ScreeningRecord>> {
        todo!("clients port")
    }
    async fn record_clearance(&self, clearance: &Clearance, audit: &AuditEvent) -> StoreResult<Booking> {
        todo!("clients port")
    }
    async fn clearances(&self, client: ClientId) -> StoreResult<Vec<Clearance>> {
        todo!("clients port")
    }
    async fn clearance(&self, booking: BookingId) -> StoreResult<Option<Clearance>> {
        todo!("clients port")
    }
    async fn record_access(&self, event: &AuditEvent) -> StoreResult<AuditEntry> {
        todo!("clients port")
    }
    async fn audit_entries(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        todo!("clients port")
    }
    async fn recent_audit(&self, client: Option<ClientId>, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        todo!("clients port")
    }
}
