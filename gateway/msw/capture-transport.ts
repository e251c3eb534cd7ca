// Notifications kept for a test to assert on, instead of being POSTed anywhere.
import type { DeliveryRequest, DeliveryResult, NotificationTransport } from '../engine/outbox.js'

export interface CapturedNotification extends DeliveryRequest {
  /** The parsed event (the body is kept byte for byte beside it). */
  event: { id: string, type: string, data: { object: Record<string, unknown> } }
  /** What the "receiver" answered. */
  status: number
}

export class CaptureTransport implements NotificationTransport {
  readonly delivered: CapturedNotification[] = []
  /** The status the pretend receiver answers with; set it to see retries. */
  respondWith: (request: DeliveryRequest) => number = () => 200

  async deliver (request: DeliveryRequest): Promise<DeliveryResult> {
    const status = this.respondWith(request)
    this.delivered.push({ ...request, status, event: JSON.parse(request.body) as CapturedNotification['event'] })
    return { status, error: status >= 200 && status < 300 ? null : `HTTP ${status}` }
  }
}
